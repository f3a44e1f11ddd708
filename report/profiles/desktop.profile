# desktop: a mix of applications with thread pools, short helper threads,
# and monitors (task managers, debuggers) looking threads up; latency of an
# exit matters about as much as throughput.
about A mix: thread pools, helper threads, observers, occasional exits.
churn_shared	2	# a browser's or IDE's thread pool
join		2	# helper threads joined by the UI thread
observers	2	# task managers and debuggers reading thread state
teardown	2	# an application quits
churn_private	1
storm		1	# logout: every application exits at once
lookup		1	# task managers listing processes by pid
