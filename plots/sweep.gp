# sweep.gp - a workload's headline metric against threads (or against T for
# teardown): one line per design with the 95% confidence interval of the
# median as error bars; `native` dashed.
# Variables: data (blocks "x median lo hi", one per design, in the order of
# `designs`), designs, out, ttl, sub, xlab, ylab, logx, logy, xlo, xhi,
# xstep (0: automatic tics), note.
load gpdir.'/common.gp'
nd = words(designs)
do for [ext in "png svg"] {
	eval term_set(ext)
	set output out.'.'.ext.outsfx
	eval head_set
	set tmargin at screen 0.87
	set bmargin 4
	set rmargin at screen 0.80
	set key outside right top vertical noenhanced spacing 1.4 title 'design' box lc rgb '#bbbbbb'
	set grid lc rgb '#dddddd'
	set xlabel xlab noenhanced
	set ylabel ylab noenhanced
	if (logx) { set logscale x 2 } else { unset logscale x }
	if (logy) { set logscale y } else { unset logscale y; set yrange [0:*] }
	if (logy) { set yrange [*:*] }
	set offsets 0, 0, graph 0.08, 0
	set xrange [xlo:xhi]
	set xtics nomirror
	if (!logx && xstep > 0) { set xtics xstep }
	if (strlen(note) > 0) {
		set label 103 note at graph 0.5, graph 0.06 center tc rgb '#666666' noenhanced front
	}
	plot for [i=1:nd] data index (i-1) using 1:2:3:4 with yerrorlines \
		lw 2 pt dpt(word(designs, i)) ps 1.3 dt ddt(word(designs, i)) \
		lc rgb dcol(word(designs, i)) title word(designs, i)
	unset label 103
	set output
}
