#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# lazy-kdump-udhcpc.sh - busybox udhcpc's script in the capture initrd
# (DUMP_TARGET on a dump server reached through an interface the running
# system configured by DHCP): udhcpc runs it with the event as $1 and the
# lease in its environment (interface, ip, mask, router, ...). Only the
# address and the first router are used; no DNS (the capture uses the
# server's address, resolved when arming).
# shellcheck shell=sh
# shellcheck disable=SC2154 # set by udhcpc
case $1 in
deconfig)
	ip -4 addr flush dev "$interface" 2>/dev/null
	ip link set dev "$interface" up
	;;
bound | renew)
	ip -4 addr flush dev "$interface" 2>/dev/null
	ip addr add "$ip/${mask:-24}" dev "$interface"
	if [ -n "$router" ]; then
		# shellcheck disable=SC2086 # the first of several
		set -- $router
		ip route add default via "$1" dev "$interface" 2>/dev/null
	fi
	;;
esac
exit 0
