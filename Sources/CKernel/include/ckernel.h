// Kernel UAPI for the collector: rtnetlink (RTM_GETLINK, IFLA_VFINFO_LIST) and ethtool
// (SIOCETHTOOL / ETHTOOL_GDRVINFO), straight from /usr/include/linux.
//
// Why a C target: ioctl(2) is variadic and the netlink alignment helpers are macros, neither of
// which Swift imports. The structs and enums themselves come through unchanged.
#ifndef SRIOV_AUDIT_CKERNEL_H
#define SRIOV_AUDIT_CKERNEL_H

#include <linux/devlink.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>

/// ETHTOOL_GDRVINFO on `ifname` through `fd` (an AF_INET/SOCK_DGRAM socket).
/// Returns 0 or the errno of the failed ioctl.
int ckernel_ethtool_drvinfo(int fd, const char *ifname, struct ethtool_drvinfo *out);

/// ETHTOOL_GSSET_INFO for ETH_SS_FEATURES: how many netdev features the kernel names.
/// Returns 0 or the errno of the failed ioctl.
int ckernel_ethtool_feature_count(int fd, const char *ifname, uint32_t *count);

/// ETHTOOL_GSTRINGS (ETH_SS_FEATURES) into `names` (`count` * ETH_GSTRING_LEN bytes) and
/// ETHTOOL_GFEATURES into `blocks` (`(count + 31) / 32` blocks). Returns 0 or an errno.
int ckernel_ethtool_features(int fd, const char *ifname, uint32_t count, char *names,
                             struct ethtool_get_features_block *blocks);

/// The netlink alignment (NLMSG_ALIGN / RTA_ALIGN are both 4 bytes).
static inline uint32_t ckernel_nl_align(uint32_t len) { return (len + 3u) & ~3u; }

#endif
