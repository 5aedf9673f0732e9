#!/bin/busybox sh
# The initramfs's init: loads the 9p modules, mounts the host's root read-only over virtio-9p with
# writable tmpfs where programs write, and runs the test script (kernel argument snoop.script) in it.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# dependencies first: repeat until a pass loads nothing more
for _ in 1 2 3; do
    for m in /modules/*.ko; do
        [ -e "$m.done" ] || { insmod "$m" 2>/dev/null && touch "$m.done"; }
    done
done
script= launcher= programs=
for arg in $(cat /proc/cmdline); do
    case $arg in
        snoop.script=*) script=${arg#snoop.script=} ;;
        snoop.launcher=*) launcher=${arg#snoop.launcher=} ;;
        snoop.programs=*) programs=${arg#snoop.programs=} ;;
    esac
done
r=/mnt/root
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot $r; then
    echo "snoop-vm: FAIL could not mount the host root over 9p"; poweroff -f
fi
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
for d in /tmp /run /var/tmp /root; do mount -t tmpfs tmpfs $r$d; done
mount -t cgroup2 cgroup2 $r/sys/fs/cgroup
mount -t bpf bpf $r/sys/fs/bpf
mount -t tracefs tracefs $r/sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs $r/sys/kernel/debug 2>/dev/null
mkdir -p $r/tmp/result
mount -t 9p -o trans=virtio,version=9p2000.L result $r/tmp/result
chroot $r /bin/sh "$script" "$launcher" /tmp/result $programs
sync
umount $r/tmp/result
poweroff -f
