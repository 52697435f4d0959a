#!/bin/sh
# /init in the guest: mount the kernel file systems, run the scenario, power off.
/bin/busybox --install -s /bin
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo "=== BOOT_DONE uptime=$(cut -d' ' -f1 /proc/uptime)s"
sh /scenario.sh 2>&1
echo "=== POWEROFF uptime=$(cut -d' ' -f1 /proc/uptime)s"
sync
poweroff -f
