/*
 * Every ZFS property name zbe reads or writes, in one place.
 * The org.opensolaris.libbe names keep the on-disk format of illumos libbe,
 * so pools move between illumos and zbe without conversion.
 */
#ifndef ZBE_PROPS_H
#define ZBE_PROPS_H

#define ZBE_PROP_UUID        "org.opensolaris.libbe:uuid"
#define ZBE_PROP_PARENTBE    "org.opensolaris.libbe:parentbe"
#define ZBE_PROP_ACTIVE      "org.opensolaris.libbe:active"
#define ZBE_PROP_DESCRIPTION "org.opensolaris.libbe:description"
/* illumos libbe's retention class of a BE: "auto" ones beadm prune may
 * destroy; absent or "static": kept until destroyed by hand. */
#define ZBE_PROP_POLICY      "org.opensolaris.libbe:policy"
#define ZBE_POLICY_AUTO      "auto"
/* On a BE the apt hook made: the apt transaction it was made for
 * ("<front-end pid>:<its start time>"), so that one transaction makes one BE. */
#define ZBE_PROP_APT_TXN     "org.zbe:apt-txn"
/* Set on snapshots zbe made itself, so destroy may remove them once unused. */
#define ZBE_PROP_AUTO        "org.zbe:auto"
/* On a zone's <zpds> while "zoneadm install" runs: the zone is incomplete.
 * "detached" after "zoneadm detach": the zone's datasets stay, it does not
 * boot until "zoneadm attach" clears it (attach clears it last, so an
 * attach killed half-way leaves a zone that is still detached).  It
 * travels with "zfs send -R" of <zpds>: a migrated zone arrives detached. */
#define ZBE_PROP_ZONESTATE   "org.zbe:zonestate"
#define ZBE_ZONESTATE_DETACHED "detached"
/* On a zone's <zpds>/rpool: the ZBE the zone booted last (set by boot when
 * it changes), which attach re-tags when no ZBE belongs to the running
 * host BE (Solaris' rule). */
#define ZBE_PROP_LAST_BOOTED "org.zbe:last-booted"
/* On a zone's <zpds> while "zoneadm move" runs: the new zonepath.  Set
 * before the rename, cleared after the configuration names the new path;
 * the same move run again finishes one that was killed. */
#define ZBE_PROP_MOVE        "org.zbe:move-to"
/* On the <zpds> of a zone made by "zoneadm clone": the snapshot of the
 * source zone's ZBE that clone took for it, destroyed with the zone. */
#define ZBE_PROP_CLONE_SNAP  "org.zbe:clone-snapshot"
/*
 * Crash safety (journal.c): while a multi-step operation runs, the BE
 * container carries "<opid> <kind> <args>", and every dataset and
 * snapshot it makes is given org.zbe:op=<opid> at creation.  A journal
 * left by a killed command names what to undo or finish.
 */
#define ZBE_PROP_JOURNAL     "org.zbe:journal"
#define ZBE_PROP_OP          "org.zbe:op"
/* On a BE that beadm run is updating: "run <boot id> <pid> <start time>" of
 * that beadm, cleared when the command succeeded.  One whose beadm is gone
 * is an interrupted update: the next mutating command destroys it. */
#define ZBE_PROP_PENDING     "org.zbe:pending"
/* On the host's BE container while a one-time activation (beadm activate
 * -t) is pending: the name of the BE the boot after the next one comes up
 * in again.  bootfs names the one-time BE; the boot script zbe ships for
 * the initramfs (dist/initramfs-tools) points bootfs back at this BE and
 * clears it during that boot, before anything can fail after it. */
#define ZBE_PROP_NEXTBOOT_REVERT "org.zbe:nextboot-revert"

#define ZBE_PROP_TYPE        "type"
#define ZBE_PROP_USED        "used"
#define ZBE_PROP_CREATION    "creation"
#define ZBE_PROP_CREATETXG   "createtxg"
#define ZBE_PROP_ORIGIN      "origin"
#define ZBE_PROP_MOUNTPOINT  "mountpoint"
#define ZBE_PROP_CANMOUNT    "canmount"
#define ZBE_PROP_BOOTFS      "bootfs"
#define ZBE_PROP_ALTROOT     "altroot"
#define ZBE_PROP_DEFER_DESTROY "defer_destroy"

/*
 * The layout of a BE root.  A host BE is mounted at "/" (canmount=noauto,
 * its children inherit): what the Linux boot paths look for (the
 * initramfs' root=zfs:AUTO, GRUB, ZFSBootMenu).  A zone's BE is legacy:
 * only zbe mounts it.  Host BEs made by earlier zbe versions are legacy
 * too, and still read as BEs.
 */
#define ZBE_MOUNTPOINT_ROOT   "/"
#define ZBE_MOUNTPOINT_LEGACY "legacy"

/* Properties a clone must not inherit from its source as locally set ones. */
#define ZBE_PROPS_NOT_COPIED \
	ZBE_PROP_UUID, ZBE_PROP_PARENTBE, ZBE_PROP_ACTIVE, ZBE_PROP_DESCRIPTION, \
	ZBE_PROP_AUTO, ZBE_PROP_MOUNTPOINT, ZBE_PROP_CANMOUNT, ZBE_PROP_JOURNAL, ZBE_PROP_OP, \
	ZBE_PROP_PENDING, ZBE_PROP_NEXTBOOT_REVERT
/* Not copied either (a BE made from an automatic one is static unless told),
 * but create -o may set them. */
#define ZBE_PROPS_NOT_INHERITED ZBE_PROP_POLICY, ZBE_PROP_APT_TXN

/*
 * The properties a zone's root may set with "beadm create -o" (through the
 * broker).  An allow-list, not a deny-list: whatever ZFS adds later stays
 * refused until it is judged here.  Left out on purpose: anything that
 * claims or hides pool space from the host (quota, refquota, reservation,
 * refreservation, copies, dedup), shares the dataset off the host
 * (sharenfs, sharesmb), moves or mounts it on the host (mountpoint,
 * canmount, zoned), and every property of zbe and libbe (the
 * org.zbe and org.opensolaris.libbe namespaces), which only beadm sets.
 * User properties of other namespaces are left out too: a zone has
 * nothing to tell the host with them.  Two of zbe's are the exception:
 * the retention policy and the apt transaction key, which the zone's apt
 * hook sets on the zone's own BEs (prune only ever destroys BEs the zone
 * may destroy anyway).
 */
#define ZBE_PROPS_ZONE_ALLOWED \
	"compression", "atime", "relatime", "recordsize", "checksum", "xattr", \
	"exec", "setuid", "readonly", "snapdir", "sync", "logbias", "acltype", \
	"aclinherit", "aclmode", "primarycache", "secondarycache", \
	ZBE_PROP_POLICY, ZBE_PROP_APT_TXN

/*
 * Properties boot loaders read (ZFSBootMenu's).  Copied from the source
 * BE at create like every local property, except that the kernel command
 * line loses its root= words: the new BE is booted by its own name.  A
 * zone's <zpds>/rpool is made with active=off, inherited by every ZBE in
 * it, so that no loader offers a zone's root as a host BE.
 */
#define ZBE_PROP_ZBM_PREFIX      "org.zfsbootmenu:"
#define ZBE_PROP_ZBM_COMMANDLINE "org.zfsbootmenu:commandline"
#define ZBE_PROP_ZBM_ACTIVE      "org.zfsbootmenu:active"
#define ZBE_ZBM_INACTIVE         ZBE_PROP_ZBM_ACTIVE "=off"

/* The quota zonecfg be-quota puts on a zone's <zpds>/rpool. */
#define ZBE_PROP_QUOTA       "quota"

#endif
