# report/ - reading results folders (results_read.c), statistics
# (stats.c), tables, plots (driving gnuplot with the scripts in plots/),
# REPORT.md and baseline comparison (report_*.c), profiles and the pick
# (profile.c, pick.c; profiles in report/profiles/), and the allocators
# and path helper the driver shares (xmalloc.c).  The results schema is
# the harness's (bench/bench_schema.c): the report links it, nothing else
# of bench/.
#
#   make plots  [RESULTS=dir]   gnuplot PNG + SVG into dir/plots/
#   make report [RESULTS=dir]   the plots, then dir/REPORT.md
#   make report BASELINE=dir1 RESULTS=dir2   dir2/COMPARE.md: dir2 vs dir1
REPORT_SRCS	:= $(sort $(wildcard report/*.c)) bench/bench_schema.c
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
