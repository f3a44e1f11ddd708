// gbench.cc - the C face of Google Benchmark (see gbench.h).
//
// The project's only C++.  Handles are the library's own objects cast to
// opaque C types; nothing here owns benchmark state of its own except the
// two forwarding reporters, which normalise run names before Google
// Benchmark's own console/JSON reporters print them.

#include <benchmark/benchmark.h>

#include <cstring>
#include <ostream>
#include <memory>
#include <string>
#include <vector>

#include "gbench.h"

#ifndef BENCH_GBENCH_VERSION
#define BENCH_GBENCH_VERSION "unknown"
#endif

namespace {

inline benchmark::State &
S(gbench_state *st)
{
	return *reinterpret_cast<benchmark::State *>(st);
}

inline const benchmark::State &
S(const gbench_state *st)
{
	return *reinterpret_cast<const benchmark::State *>(st);
}

inline benchmark::internal::Benchmark *
B(gbench_bm *bm)
{
	return reinterpret_cast<benchmark::internal::Benchmark *>(bm);
}

// Registered name, without the "/iterations:N", "/repeats:N" and
// "/manual_time" (or "/real_time") parts that depend on how the run was
// timed and sized (a benchmark that failed before the run has one
// repetition).
void
normalise(benchmark::BenchmarkReporter::Run &r)
{
	r.run_name.iterations.clear();
	r.run_name.time_type.clear();
	r.run_name.repetitions.clear();
}

double
to_ns(double v, benchmark::TimeUnit u)
{
	switch (u) {
	case benchmark::kNanosecond: return v;
	case benchmark::kMicrosecond: return v * 1e3;
	case benchmark::kMillisecond: return v * 1e6;
	case benchmark::kSecond: return v * 1e9;
	}
	return v;
}

// Hands each run to the C hook, then to the wrapped reporter with its
// name normalised.  Used both for the display and for the file reporter;
// Google Benchmark sets the streams of this object, so they are passed on
// to the wrapped one before it prints anything.
class Forward : public benchmark::BenchmarkReporter {
public:
	Forward(benchmark::BenchmarkReporter *inner, gbench_run_hook hook,
	    void *ctx)
	    : inner_(inner), hook_(hook), ctx_(ctx) {}

	bool ReportContext(const Context &c) override
	{
		inner_->SetOutputStream(&GetOutputStream());
		inner_->SetErrorStream(&GetErrorStream());
		return inner_->ReportContext(c);
	}

	void ReportRuns(const std::vector<Run> &runs) override
	{
		std::vector<Run> out(runs);
		for (Run &r : out) {
			normalise(r);
			if (hook_ != nullptr)
				call_hook(r);
		}
		inner_->ReportRuns(out);
	}

	// The file reporter's stream is the JSON file: a write that failed
	// (a full disk) leaves it bad once flushed.
	void Finalize() override
	{
		inner_->Finalize();
		GetOutputStream().flush();
		ok_ = GetOutputStream().good();
	}

	bool ok() const { return ok_; }

private:
	void call_hook(const Run &r)
	{
		std::string name = r.benchmark_name();
		std::string family = r.run_name.str();
		gbench_run_info info;
		info.name = name.c_str();
		info.family = family.c_str();
		info.aggregate = r.run_type == Run::RT_Aggregate;
		info.aggregate_name = r.aggregate_name.c_str();
		info.repetition_index = r.repetition_index;
		info.repetitions = r.repetitions;
		info.iterations = static_cast<uint64_t>(r.iterations);
		info.real_ns = to_ns(r.GetAdjustedRealTime(), r.time_unit);
		info.cpu_ns = to_ns(r.GetAdjustedCPUTime(), r.time_unit);
		info.error = r.error_occurred;
		info.error_message = r.error_message.c_str();
		info.label = r.report_label.c_str();
		info.impl = &r;
		hook_(&info, ctx_);
	}

	std::unique_ptr<benchmark::BenchmarkReporter> inner_;
	gbench_run_hook hook_;
	void *ctx_;
	bool ok_ = false;
};

}  // namespace

extern "C" {

gbench_bm *
gbench_register(const char *name, gbench_fn fn, void *arg)
{
	benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(name,
	    [fn, arg](benchmark::State &st) {
		    fn(reinterpret_cast<gbench_state *>(&st), arg);
	    });
	return reinterpret_cast<gbench_bm *>(b);
}

void gbench_bm_threads(gbench_bm *bm, int n) { B(bm)->Threads(n); }
void gbench_bm_iterations(gbench_bm *bm, uint64_t n)
{
	B(bm)->Iterations(static_cast<benchmark::IterationCount>(n));
}
void gbench_bm_min_time(gbench_bm *bm, double s) { B(bm)->MinTime(s); }
void gbench_bm_repetitions(gbench_bm *bm, int n) { B(bm)->Repetitions(n); }
void gbench_bm_manual_time(gbench_bm *bm) { B(bm)->UseManualTime(); }
void gbench_bm_real_time(gbench_bm *bm) { B(bm)->UseRealTime(); }

void
gbench_bm_unit(gbench_bm *bm, enum gbench_unit u)
{
	static const benchmark::TimeUnit map[] = {
		benchmark::kNanosecond, benchmark::kMicrosecond,
		benchmark::kMillisecond, benchmark::kSecond,
	};
	B(bm)->Unit(map[u]);
}

bool gbench_keep_running(gbench_state *st) { return S(st).KeepRunning(); }

bool
gbench_keep_running_batch(gbench_state *st, uint64_t n)
{
	return S(st).KeepRunningBatch(static_cast<benchmark::IterationCount>(n));
}

uint64_t
gbench_max_iterations(const gbench_state *st)
{
	return static_cast<uint64_t>(S(st).max_iterations);
}

uint64_t
gbench_iterations(const gbench_state *st)
{
	return static_cast<uint64_t>(S(st).iterations());
}

int gbench_thread_index(const gbench_state *st) { return S(st).thread_index(); }
int gbench_threads(const gbench_state *st) { return S(st).threads(); }
void gbench_pause(gbench_state *st) { S(st).PauseTiming(); }
void gbench_resume(gbench_state *st) { S(st).ResumeTiming(); }

void
gbench_set_iteration_time(gbench_state *st, double seconds)
{
	S(st).SetIterationTime(seconds);
}

void
gbench_counter(gbench_state *st, const char *name, double value,
    unsigned flags)
{
	int f = benchmark::Counter::kDefaults;

	if (flags & GBENCH_CTR_RATE)
		f |= benchmark::Counter::kIsRate;
	if (flags & GBENCH_CTR_AVG_THREADS)
		f |= benchmark::Counter::kAvgThreads;
	if (flags & GBENCH_CTR_PER_ITER)
		f |= benchmark::Counter::kAvgIterations;
	S(st).counters[name] = benchmark::Counter(value,
	    static_cast<benchmark::Counter::Flags>(f));
}

void
gbench_items(gbench_state *st, int64_t items)
{
	S(st).SetItemsProcessed(items);
}

void gbench_label(gbench_state *st, const char *l) { S(st).SetLabel(l); }
void gbench_skip_error(gbench_state *st, const char *m) { S(st).SkipWithError(m); }

void
gbench_init(int *argc, char **argv)
{
	benchmark::Initialize(argc, argv);
}

void
gbench_context(const char *key, const char *value)
{
	benchmark::AddCustomContext(key, value);
}

bool
gbench_run_counter(const struct gbench_run_info *info, const char *name,
    double *value)
{
	const auto *r =
	    static_cast<const benchmark::BenchmarkReporter::Run *>(info->impl);
	auto it = r->counters.find(name);

	if (it == r->counters.end())
		return false;
	*value = it->second.value;
	return true;
}

size_t
gbench_run(gbench_run_hook hook, void *ctx, bool *file_ok)
{
	// The display reporter honours --benchmark_format; the file reporter
	// is Google Benchmark's JSON reporter, which it opens and writes at
	// --benchmark_out (it refuses a file reporter without that flag).
	// The hook goes on the file reporter when there is one: it sees every
	// repetition even when the display shows aggregates only.
	Forward display(benchmark::CreateDefaultDisplayReporter(),
	    file_ok != nullptr ? nullptr : hook, ctx);

	if (file_ok == nullptr)
		return benchmark::RunSpecifiedBenchmarks(&display);
	Forward file(new benchmark::JSONReporter(), hook, ctx);
	size_t n = benchmark::RunSpecifiedBenchmarks(&display, &file);
	*file_ok = file.ok();
	return n;
}

void gbench_shutdown(void) { benchmark::Shutdown(); }

const char *gbench_library_version(void) { return BENCH_GBENCH_VERSION; }

}  // extern "C"
