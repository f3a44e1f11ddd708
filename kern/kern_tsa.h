/* kern_tsa.h - clang -Wthread-safety capability attributes (no-ops on gcc). */
#ifndef KERN_TSA_H
#define KERN_TSA_H

#if defined(__clang__)
#define KERN_TSA(x)	__attribute__((x))
#else
#define KERN_TSA(x)
#endif

#define KERN_CAPABILITY(x)	KERN_TSA(capability(x))
#define KERN_GUARDED_BY(x)	KERN_TSA(guarded_by(x))
#define KERN_PT_GUARDED_BY(x)	KERN_TSA(pt_guarded_by(x))
#define KERN_ACQUIRE(...)	KERN_TSA(acquire_capability(__VA_ARGS__))
#define KERN_RELEASE(...)	KERN_TSA(release_capability(__VA_ARGS__))
#define KERN_TRY_ACQUIRE(...)	KERN_TSA(try_acquire_capability(__VA_ARGS__))
#define KERN_REQUIRES(...)	KERN_TSA(requires_capability(__VA_ARGS__))
#define KERN_EXCLUDES(...)	KERN_TSA(locks_excluded(__VA_ARGS__))
#define KERN_NO_TSA		KERN_TSA(no_thread_safety_analysis)

#endif /* KERN_TSA_H */
