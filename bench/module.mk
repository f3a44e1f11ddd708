# bench/ - the harness (environment, carriers, histograms, results writer,
# the run loop), the results schema (bench_schema.c: files, workloads,
# keys; report/ links it too) and bench/workloads/ (one file per workload).
# Plain C that knows nothing of Google Benchmark: driver/ adapts it,
# tests/test_bench.c calls bench_run() directly.
HARNESS_SRCS	:= bench/bench_run.c bench/bench_env.c bench/bench_carriers.c \
		   bench/bench_hist.c bench/bench_results.c bench/bench_schema.c \
		   $(sort $(wildcard bench/workloads/*.c))
