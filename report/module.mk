# report/ - reading results folders, statistics, tables, plots (driving
# gnuplot with the scripts in plots/), REPORT.md, baseline comparison and
# the pick (profiles in report/profiles/).
#
#   make plots  [RESULTS=dir]   gnuplot PNG + SVG into dir/plots/
#   make report [RESULTS=dir]   the plots, then dir/REPORT.md
#   make report BASELINE=dir1 RESULTS=dir2   dir2/COMPARE.md: dir2 vs dir1
REPORT_SRCS	:= $(sort $(wildcard report/*.c))
REPORT_LDLIBS	:= -ljansson -lhwloc

RESULTS		?= results/latest

.PHONY: plots report
plots: $(REAPBENCH)
	$(REAPBENCH) report --plots-only $(RESULTS)

ifdef BASELINE
report: $(REAPBENCH)
	$(REAPBENCH) report --baseline $(BASELINE) $(RESULTS)
else
# The report embeds the plots: `make report` draws them first (once, also
# under `make plots report`).
report: plots
	$(REAPBENCH) report --no-plots $(RESULTS)
endif
