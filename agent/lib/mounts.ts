/**
 * Whether a file system call of this process can hang: does the mount table hold a file system whose
 * calls may wait on another machine or on a user-space server (NFS, SMB, FUSE, Lustre, Ceph, autofs,
 * virtiofs, ...)? A call on a dead NFS server blocks in the kernel until the server answers, which is
 * why the health checks read asynchronously with a deadline (issue 12 item 7). Where every mount is of a
 * local, in-memory or kernel type, no path can lead to such a file system, whatever the symlinks under
 * BASE_DIR point at (a checkpoint folder linked to shared storage is common, and only resolving every
 * path would tell where each one leads). A failing local disk can still stall a call; that is accepted.
 * A local type on a block device that reaches the network is not local: Ceph RBD (a Kubernetes volume is
 * ext4 on /dev/rbdN, its I/O waits for the cluster without a timeout by default), NBD, DRBD, and a loop
 * device, whose file may sit on NFS or Lustre (an Apptainer image); only its source tells them apart. An
 * iSCSI or NVMe-oF disk looks like any other (/dev/sdX): accepted as a local disk.
 *
 * The table is read from /proc/self/mountinfo, which procfs answers from the kernel's own tables without
 * touching any mount (statfs on a path would wait on that path's server). An unknown type counts as one
 * that may hang.
 */
import fs from "node:fs";

/** Types whose calls never leave this machine's kernel: block devices, memory, the kernel's own views. */
const LOCAL_TYPES = new Set([
  // on a local block device
  "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "jfs", "reiserfs", "bcachefs", "nilfs2",
  "vfat", "msdos", "exfat", "ntfs", "ntfs3", "hfsplus", "iso9660", "udf", "squashfs", "erofs",
  // in memory, or over other local mounts (a container's root)
  "tmpfs", "ramfs", "devtmpfs", "hugetlbfs", "overlay",
  // the kernel's own
  "proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "debugfs", "tracefs", "securityfs", "pstore",
  "bpf", "configfs", "fusectl", "binfmt_misc", "nsfs", "efivarfs", "selinuxfs", "rpc_pipefs", "nfsd",
]);

/** Block devices whose reads may wait on another machine (see the file comment), by their source in the table. */
const NETWORK_BLOCK_DEVICE = /^\/dev\/(?:rbd|nbd|drbd|loop)[0-9/]/;

/** One mount of the table: where it is mounted, its file system type and its source (a device, a server). */
export interface Mount {
  readonly mountPoint: string;
  readonly type: string;
  readonly source: string;
}

/**
 * systemd's automount of the kernel's binfmt_misc (proc-sys-fs-binfmt_misc.automount, on every systemd
 * host): an autofs mount point whose only mount is the kernel's own binfmt_misc, under /proc where no
 * training folder lives. Any other autofs mount may bring in a network share and counts as one that may hang.
 */
const KERNEL_AUTOMOUNT_POINT = "/proc/sys/fs/binfmt_misc";

/** Whether calls on a mount of this type from this source never leave this machine's kernel. */
function isLocal(type: string, source: string, mountPoint: () => string): boolean {
  if (type === "autofs") return mountPoint() === KERNEL_AUTOMOUNT_POINT;
  return LOCAL_TYPES.has(type) && !NETWORK_BLOCK_DEVICE.test(source);
}

// mountinfo escapes space, tab, newline and backslash in paths as octal (\040, \011, \012, \134).
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** The mounts of a /proc/PID/mountinfo text (proc(5)); a line it cannot read is a mount of unknown type. */
export function parseMountInfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const f = line.split(" ");
    // ID, parent, major:minor, root, mount point, options, optional fields..., "-", type, source, super options
    const sep = f.indexOf("-", 6);
    const known = sep > 0 && sep + 1 < f.length;
    mounts.push({ mountPoint: unescape(f[4] ?? "?"), type: known ? f[sep + 1]! : "?", source: known ? unescape(f[sep + 2] ?? "") : "" });
  }
  return mounts;
}

/** The mounts whose calls may hang (see the file comment); none means every file call of this process is local. */
export function mountsThatMayHang(mountinfo: string): Mount[] {
  return parseMountInfo(mountinfo).filter((m) => !isLocal(m.type, m.source, () => m.mountPoint));
}

/** This process's mount table (/proc/self/mountinfo), or null where there is none to read. */
export function readMountInfo(): string | null {
  try {
    return fs.readFileSync("/proc/self/mountinfo", "latin1");
  } catch {
    return null;
  }
}

/**
 * True when this process's mount table can be read and holds no mount whose calls may hang. It runs at
 * every `check`, so it looks only at each line's type and source (after the " - " separator: paths in
 * the table have their spaces escaped), without building the mounts: ~0.04 ms of cold code against ~0.19 ms for
 * parseMountInfo, beside ~0.1 ms to read the table (in a fresh process, this machine's 22 mounts).
 */
export function noMountMayHang(mountinfo: string | null = readMountInfo()): boolean {
  if (mountinfo === null || mountinfo.trim() === "") return false;
  for (let at = 0; at < mountinfo.length; ) {
    let end = mountinfo.indexOf("\n", at);
    if (end < 0) end = mountinfo.length;
    if (end > at) {
      const sep = mountinfo.indexOf(" - ", at);
      if (sep < 0 || sep >= end) return false;
      let typeEnd = mountinfo.indexOf(" ", sep + 3);
      if (typeEnd < 0 || typeEnd > end) typeEnd = end;
      let sourceEnd = typeEnd < end ? mountinfo.indexOf(" ", typeEnd + 1) : end;
      if (sourceEnd < 0 || sourceEnd > end) sourceEnd = end;
      if (!isLocal(mountinfo.slice(sep + 3, typeEnd), mountinfo.slice(typeEnd + 1, sourceEnd), () => parseMountInfo(mountinfo.slice(at, end))[0]!.mountPoint)) return false;
    }
    at = end + 1;
  }
  return true;
}
