#include "ckernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

int ckernel_ethtool_drvinfo(int fd, const char *ifname, struct ethtool_drvinfo *out) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memset(out, 0, sizeof *out);
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  out->cmd = ETHTOOL_GDRVINFO;
  ifr.ifr_data = (void *)out;
  if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) return errno;
  return 0;
}

static int ckernel_ethtool(int fd, const char *ifname, void *data) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  ifr.ifr_data = data;
  if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) return errno;
  return 0;
}

int ckernel_ethtool_feature_count(int fd, const char *ifname, uint32_t *count) {
  struct { struct ethtool_sset_info info; uint32_t data[1]; } request;
  memset(&request, 0, sizeof request);
  request.info.cmd = ETHTOOL_GSSET_INFO;
  request.info.sset_mask = 1ULL << ETH_SS_FEATURES;
  int rc = ckernel_ethtool(fd, ifname, &request);
  if (rc != 0) return rc;
  *count = (request.info.sset_mask & (1ULL << ETH_SS_FEATURES)) ? request.data[0] : 0;
  return 0;
}

int ckernel_ethtool_features(int fd, const char *ifname, uint32_t count, char *names,
                             struct ethtool_get_features_block *blocks) {
  uint32_t nblocks = (count + 31) / 32;
  struct ethtool_gstrings *strings = calloc(1, sizeof *strings + (size_t)count * ETH_GSTRING_LEN);
  struct ethtool_gfeatures *features = calloc(1, sizeof *features + nblocks * sizeof(struct ethtool_get_features_block));
  int rc = ENOMEM;
  if (strings && features) {
    strings->cmd = ETHTOOL_GSTRINGS;
    strings->string_set = ETH_SS_FEATURES;
    strings->len = count;
    rc = ckernel_ethtool(fd, ifname, strings);
    if (rc == 0) {
      features->cmd = ETHTOOL_GFEATURES;
      features->size = nblocks;
      rc = ckernel_ethtool(fd, ifname, features);
    }
    if (rc == 0) {
      memcpy(names, strings->data, (size_t)count * ETH_GSTRING_LEN);
      memcpy(blocks, features->features, nblocks * sizeof(struct ethtool_get_features_block));
    }
  }
  free(strings);
  free(features);
  return rc;
}
