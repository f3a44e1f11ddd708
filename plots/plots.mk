# Plots, REPORT.md and the pick (issue 7).
#
#   make plots  [RESULTS=dir]   gnuplot PNG + SVG into dir/plots/
#   make report [RESULTS=dir]   the plots, then dir/REPORT.md
#   make report BASELINE=dir1 RESULTS=dir2   dir2/COMPARE.md: dir2 vs dir1
#
# RESULTS defaults to results/latest.  The sources are linked into
# $(BUILD)/reapbench by bench/module.mk (`reapbench report`, `reapbench
# pick`) and into the test_report binary of every test flavor.
REPORT_SRCS	:= bench/report.c bench/pick.c bench/stats.c bench/results_read.c
BENCH_SRCS	+= $(REPORT_SRCS)
BENCH_LDLIBS	+= -ljansson -lhwloc

TESTS		+= test_report
test_report_SRCS := tests/test_report.c $(REPORT_SRCS) tests/rt.c
test_report_LDLIBS := -ljansson -lhwloc

RESULTS		?= results/latest
REAPBENCH	?= $(BUILD)/reapbench

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
