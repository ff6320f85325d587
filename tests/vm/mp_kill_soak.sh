#!/bin/bash
# vm-boot: lifecycle
# SPDX-License-Identifier: BSD-3-Clause
# Kill soak (issue 13): workers of examples/pasid_workers SIGKILLed at random
# moments while the others forward, each kill followed by a restart of that
# worker. Each incarnation draws the phase it will die in: inside domain
# creation (it stops itself entering the phase, DPDK_PASID_HOOK_WORKER_STOP,
# and is killed there), inside queue start (stopped there, then runs on for a
# random 0-150 ms), while forwarding, or inside queue release (told to leave,
# killed where it stopped entering the release).
#
# Not drawn: moments inside DPDK's own shared locks, which do not survive
# their holder (doc/multi_process.md, Limits): rte_eal_init()'s memory attach
# and rte_eal_cleanup()'s memory detach (mcfg->memory_hotplug_lock, 22.11
# lib/eal/common/eal_common_memory.c), heap creation and removal
# (rte_malloc_heap_memory_add/remove take the same lock). A kill there
# wedges every later process of the group in rte_eal_init(); the soak found
# it. The "eal" fate below stays for MP_SOAK_FATES=... replays. After each kill
# every surviving forwarding worker's counter advances within 5 s. At the end
# of a group the workers leave, the primary exits reporting no PASID domain
# left, every hugepage is back, and the port is removed (the kernel is clean:
# run.sh checks dmesg).
#
# 20 kills by default, TEST_LONG=1 runs 100. A crashed worker's DPDK heap
# slot is never given back (RTE_MAX_HEAPS, doc/multi_process.md), so the
# whole group (primary and workers) restarts every MP_SOAK_GROUP (20) kills.
# The seed is printed; MP_SOAK_SEED=S replays the same choices (the timing
# of the VM still varies).
. "$TOP/tests/vm/mp_lib.sh"

N=3
WINDOW=4
KILLS=${MP_SOAK_KILLS:-20}
[ "${TEST_LONG:-0}" = 1 ] && KILLS=${MP_SOAK_KILLS:-100}
GROUP=${MP_SOAK_GROUP:-20}
SEED=${MP_SOAK_SEED:-$(( ${EPOCHREALTIME/./} % 1000000007 ))}
RANDOM=$SEED
read -r -a FATES <<< "${MP_SOAK_FATES:-domain start forward release}"
echo "seed $SEED (replay: MP_SOAK_SEED=$SEED), $KILLS kills of $N workers," \
	"the group restarted every $GROUP kills"

declare -A FATE INC NKILLED
for f in "${FATES[@]}"; do NKILLED[$f]=0; done
kills=0 groups=0 exited=0 VICTIM='' vpid=''

# rnd_ms MAX: a random number of milliseconds in [0, MAX], as seconds for sleep.
rnd_ms() { printf '0.%03d' $(( RANDOM % ($1 + 1) )); }
# cur K: the process name of worker K's current incarnation.
cur() { echo "w$1.${INC[$1]}"; }
# state PID: the process state letter (R, S, D, T...) in ST, empty when gone.
# (No fork: the scheduling loops run it often, and a fork costs a lot in the VM.)
state() {
	ST=
	[ -r "/proc/$1/stat" ] && read -r ST 2> /dev/null < "/proc/$1/stat"
	ST=${ST##*) }
	ST=${ST:0:1}
}
# parked PID: whether PID is stopped (the test hook).
parked() { state "$1"; [ "$ST" = T ]; }

# soak_start K: a new incarnation of worker K with a random fate; no wait.
soak_start() {
	local k=$1 name
	INC[$k]=$(( ${INC[$k]:--1} + 1 ))
	name=$(cur "$k")
	FATE[$k]=${FATES[RANDOM % ${#FATES[@]}]}
	mp_eal "w$k"
	rm -f "$MP_DIR/$name.ready"
	# The hook names a phase of pw_queue.c; "eal" and "forward" name none.
	# A small window: forwarding workers busy-poll, and on the VM's two CPUs
	# 64 frames each in flight starve the restarts (minutes per start).
	DPDK_PASID_HOOK_WORKER_STOP=${FATE[$k]} PROC_QUIET=1 proc_start "$name" "$PW" \
		"${MP_EAL[@]}" -- worker --id "$k" --window "$WINDOW" --ready "$MP_DIR/$name.ready"
}

# wait_parked NAME SECONDS: until NAME has stopped itself (the hook).
wait_parked() {
	proc_until "$1" "$2" "stopped by the test hook" parked "${PROC_PID[$1]}"
}

# forwarding K: whether worker K's current incarnation forwards now.
forwarding() {
	local name=w$1.${INC[$1]}
	[ -e "$MP_DIR/$name.ready" ] && proc_alive "$name" && ! parked "${PROC_PID[$name]}"
}

# killable K: whether worker K's incarnation is where its fate kills it:
# starting (eal), stopped by the hook (domain, start), forwarding (forward,
# release). An "eal" worker that got to forward first is killed forwarding.
killable() {
	local name=w$1.${INC[$1]}
	proc_alive "$name" || return 1
	case ${FATE[$1]} in
	eal) return 0;;
	domain | start) parked "${PROC_PID[$name]}";;
	*) [ -e "$MP_DIR/$name.ready" ];;
	esac
}

# pick_victim: a random worker among the killable ones, waiting up to 180 s
# for one (the workers start slowly in the debug VM); every 30 s a line says
# where each worker is.
pick_victim() {
	local k now end=$(( ${EPOCHREALTIME/./} + 180000000 )) next=$(( ${EPOCHREALTIME/./} + 30000000 ))
	local -a can
	while :; do
		can=()
		for ((k = 0; k < N; k++)); do
			killable "$k" && can+=("$k")
		done
		if [ ${#can[@]} -gt 0 ]; then
			VICTIM=${can[RANDOM % ${#can[@]}]}
			return 0
		fi
		now=${EPOCHREALTIME/./}
		[ "$now" -gt "$end" ] && break
		if [ "$now" -gt "$next" ]; then
			next=$((now + 30000000))
			for ((k = 0; k < N; k++)); do
				state "${PROC_PID[w$k.${INC[$k]}]}"
				echo "[$(proc_now)] waiting: worker $k (${FATE[$k]}) state ${ST:-gone}:" \
					"$(tail -1 "$MP_DIR/w$k.${INC[$k]}.log" | cut -c1-150)"
			done
		fi
		sleep 0.2
	done
	for ((k = 0; k < N; k++)); do
		proc_show "w$k.${INC[$k]}" 15
		echo "  kernel stack of w$k.${INC[$k]}:"
		sed 's/^/  | /' "/proc/${PROC_PID[w$k.${INC[$k]}]}/stack" 2> /dev/null
	done
	proc_show p 15
	fail "kill $kills: no worker reached the phase it is to be killed in within 180 s"
}

# soak_kill K: kill worker K's current incarnation in the phase of its fate.
soak_kill() {
	local k=$1 name pid delay=
	name=$(cur "$k")
	pid=${PROC_PID[$name]}
	[ "${FATE[$k]}" = eal ] && [ -e "$MP_DIR/$name.ready" ] && FATE[$k]=forward
	case ${FATE[$k]} in
	eal)
		delay=$(rnd_ms 1000)
		sleep "$delay"
		kill -9 "$pid";;
	domain)
		# Where the hook stopped it: a kill later in domain creation can
		# land in the heap creation, inside DPDK's non-robust
		# memory_hotplug_lock (rte_malloc_heap_memory_add()).
		delay=0.000
		kill -9 "$pid";;
	start)
		kill -CONT "$pid"
		delay=$(rnd_ms 150)
		sleep "$delay"
		kill -9 "$pid";;
	forward)
		delay=$(rnd_ms 500)
		sleep "$delay"
		kill -9 "$pid";;
	release)
		# Killed where the hook stopped it, inside the release (its queue
		# pair, domain and heap still set up), never later: past the release
		# the worker leaves through rte_eal_cleanup(), whose memory detach
		# holds DPDK's shared memory_hotplug_lock (a plain rwlock, not
		# robust), and a death there wedges every later process of the group
		# (doc/multi_process.md).
		kill -TERM "$pid"
		wait_parked "$name" 30
		delay=0.000
		kill -9 "$pid";;
	esac
	PROC_QUIET=1 proc_wait_exit "$name" 10
	NKILLED[${FATE[$k]}]=$(( NKILLED[${FATE[$k]}] + 1 ))
	# A release may finish inside the delay: the worker then left (status 0).
	[ "${PROC_RC[$name]}" = 0 ] && exited=$((exited + 1))
	case ${PROC_RC[$name]} in
	137 | 0) ;;
	*) proc_show "$name"; fail "kill $kills: $name exited with ${PROC_RC[$name]}";;
	esac
	echo "[$(proc_now)] kill $kills: worker $k pid $pid (${FATE[$k]}, +${delay}s):" \
		"status ${PROC_RC[$name]}; last words: $(tail -1 "$MP_DIR/$name.log" | cut -c1-120)"
}

# survivors_advance K PID: every worker but K that the primary reported
# forwarding forwards more within 5 s of the primary noticing PID's death.
# Measured on the primary's clock: its table ("-- T s:", once a second)
# samples the workers' counters, so a primary or a log reader slowed by the
# loaded VM delays the verdict but does not falsify it; the wait for the
# primary to get that far is bounded at 60 s of wall-clock time.
survivors_advance() {
	local k=$1 vpid=$2 j name want='' verdict end=$(( ${EPOCHREALTIME/./} + 60000000 ))
	for ((j = 0; j < N; j++)); do
		[ "$j" = "$k" ] && continue
		forwarding "$j" || continue
		name=w$j.${INC[$j]}
		# Not reported forwarding by the primary yet: just started, not
		# yet a survivor to check.
		[ "$(mp_fwd "$j" "${PROC_PID[$name]}")" -gt 0 ] && want+=" $j:${PROC_PID[$name]}"
	done
	[ -n "$want" ] || return 0
	while :; do
		verdict=$(awk -v vpid="$vpid" -v want="$want" '
			BEGIN { n = split(want, a, " ")
				for (i = 1; i <= n; i++) { split(a[i], b, ":"); pid[b[1]] = b[2] } }
			$0 ~ ("worker [0-9]+ pid " vpid " (died|left)") { dead = 1; next }
			match($0, / -- [0-9.]+ s:/) {
				if (!dead) next
				t = substr($0, RSTART + 4, RLENGTH - 7) + 0
				if (t0 == "") t0 = t
				cur = t; next }
			match($0, /worker [0-9]+ pid [0-9]+ PASID [0-9]+ IOAS [0-9]+: forwarded [0-9]+/) {
				split(substr($0, RSTART, RLENGTH), f, " ")
				if (!(f[2] in pid) || pid[f[2]] != f[4]) next
				# The count before the first table after the death
				# is the base (0 if none: it began forwarding since).
				if (t0 == "") c0[f[2]] = f[10] + 0
				else if (cur <= t0 + 5 && f[10] + 0 > c0[f[2]] + 0) adv[f[2]] = 1 }
			END { if (t0 == "") { print "wait"; exit }
				left = ""
				for (k in pid) if (!(k in adv)) left = left " " k
				if (left == "") print "ok"
				else if (cur <= t0 + 5) print "wait"
				else print "fail" left }' "$MP_DIR/p.log")
		[ "$verdict" = ok ] && return 0
		[ "${verdict%% *}" = fail ] && break
		if [ "${EPOCHREALTIME/./}" -gt "$end" ]; then
			proc_show p 20
			fail "kill $kills: the primary did not report 5 s past the death within 60 s"
		fi
		sleep 0.5
	done
	proc_show p 20
	fail "kill $kills: worker(s)${verdict#fail} did not forward within 5 s of the kill"
}

# group_start: a fresh primary and N workers (each with its fate).
group_start() {
	local k
	groups=$((groups + 1))
	mp_rm_prefix
	PROC_QUIET=1 mp_primary "$N"
	for ((k = 0; k < N; k++)); do
		soak_start "$k"
	done
}

# ready_unparked NAME: whether NAME forwards; one the hook stopped (it may
# still be starting up and stop later) is let go.
ready_unparked() {
	parked "${PROC_PID[$1]}" && kill -CONT "${PROC_PID[$1]}"
	[ -e "$MP_DIR/$1.ready" ]
}

# group_end: the workers leave (parked ones are let go first), the primary
# exits with no PASID domain left, every hugepage comes back.
group_end() {
	local k name pid
	for ((k = 0; k < N; k++)); do
		name=$(cur "$k")
		pid=${PROC_PID[$name]}
		echo "[$(proc_now)] group end: $name (${FATE[$k]}) to forward, then leave"
		proc_until "$name" 120 "forwarding (let go from the hook)" ready_unparked "$name"
		kill -TERM "$pid"
		if [ "${FATE[$k]}" = release ]; then
			wait_parked "$name" 30
			kill -CONT "$pid"
		fi
		PROC_QUIET=1 proc_wait_exit "$name" 30
		[ "${PROC_RC[$name]}" = 0 ] || { proc_show "$name"; fail "$name exited with ${PROC_RC[$name]}"; }
	done
	PROC_QUIET=1 proc_stop p 60
	grep -E "summary|domains left" "$MP_DIR/p.log" | sed 's/^/  primary: /'
	[ "${PROC_RC[p]}" = 0 ] || { proc_show p; fail "the primary exited with ${PROC_RC[p]}"; }
	grep -q "still attached" "$MP_DIR/p.log" &&
		fail "the primary saw a dead worker's PASID still attached: $(grep -m1 "still attached" "$MP_DIR/p.log")"
	grep -q "primary: 0 PASID domains left on the port" "$MP_DIR/p.log" ||
		fail "PASIDs not all free at the end of group $groups: $(grep "domains left" "$MP_DIR/p.log")"
	echo "[$(proc_now)] group $groups: the primary left; every hugepage must be back"
	mp_check_free
	echo "[$(proc_now)] ok: group $groups ended: every PASID free, every hugepage back ($(mp_hp_line))"
	mv "$MP_DIR/p.log" "$MP_DIR/p.$groups.log"
}

mp_setup mp_kill_soak q4
t0=$SECONDS
group_start
while [ "$kills" -lt "$KILLS" ]; do
	if [ "$kills" -gt 0 ] && [ $((kills % GROUP)) = 0 ]; then
		group_end
		group_start
	fi
	kills=$((kills + 1))
	pick_victim
	vpid=${PROC_PID[$(cur "$VICTIM")]}
	soak_kill "$VICTIM"
	survivors_advance "$VICTIM" "$vpid"
	soak_start "$VICTIM"
	sleep "$(rnd_ms 300)"
done
group_end
summary=""
for f in "${FATES[@]}"; do summary+=" $f ${NKILLED[$f]},"; done
echo "ok: $kills kills in $((SECONDS - t0)) s ($groups group(s)), by phase:${summary%,};" \
	"$exited left before the kill landed; the survivors always went on (seed $SEED)"
