# server: many processes, each with short-lived threads (network daemons,
# pre-forked workers, thread-per-request services).  Creation/exit churn
# and the reaping of detached threads dominate; an occasional process exits.
about Many processes with short-lived threads: exit/reap churn dominates.
churn_private	4	# many independent processes churning threads
churn_shared	2	# thread pools inside one big process
join		2	# pthread_join of short tasks
observers	1	# ps/top/debuggers looking threads up meanwhile
storm		1	# a service restart: many processes exit at once
teardown	1	# a process exits with its threads
lookup		1	# ps, kill, /proc finding processes by pid meanwhile
