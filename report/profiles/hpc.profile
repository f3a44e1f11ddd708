# hpc: few, big processes (MPI ranks, OpenMP/thread-pool solvers).  Threads
# live for the whole job; what matters is how fast a process of many
# threads is torn down and reaped, and joins at phase boundaries.
about Few processes with many long-lived threads: big teardowns dominate.
teardown	5	# a job of T threads exits
storm		2	# all ranks of a job exit at once
join		2	# fork/join at phase boundaries
churn_shared	1	# occasional helper threads
