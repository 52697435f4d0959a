// See cpci.h for why this shim exists.
#include "cpci.h"

#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cpci_handle {
  struct pci_access *access;
  char *sysfs_path;   // strdup'd: pci_set_param keeps the pointer
  char *ids_path;
};

// libpci's callbacks carry no user pointer, so the jump target lives in thread-local storage.
// It is set only while a guarded call runs on this thread.
static _Thread_local jmp_buf *cpci_jump;
static _Thread_local char cpci_message[512];

__attribute__((noreturn)) static void cpci_on_error(char *msg, ...) {
  va_list ap;
  va_start(ap, msg);
  vsnprintf(cpci_message, sizeof cpci_message, msg, ap);
  va_end(ap);
  if (cpci_jump) longjmp(*cpci_jump, 1);
  // Not inside a guarded call: never exit the process; abort loudly instead.
  fprintf(stderr, "libpci error outside a guarded call: %s\n", cpci_message);
  abort();
}

static void cpci_on_warning(char *msg, ...) {
  (void)msg;  // libpci warnings (e.g. a short config read) surface through return values
}

static void cpci_copy_message(char *err, size_t errlen) {
  if (err && errlen) snprintf(err, errlen, "%s", cpci_message);
}

cpci_handle *cpci_open_sysfs(const char *sysfs_path, const char *ids_path, char *err, size_t errlen) {
  cpci_handle *h = calloc(1, sizeof *h);
  if (!h) { snprintf(err, errlen, "out of memory"); return NULL; }
  h->access = pci_alloc();
  if (!h->access) { free(h); snprintf(err, errlen, "pci_alloc failed"); return NULL; }
  h->access->error = cpci_on_error;
  h->access->warning = cpci_on_warning;
  h->access->debug = cpci_on_warning;
  h->access->method = PCI_ACCESS_SYS_BUS_PCI;
  if (sysfs_path) {
    h->sysfs_path = strdup(sysfs_path);
    pci_set_param(h->access, "sysfs.path", h->sysfs_path);
  }
  if (ids_path) {
    h->ids_path = strdup(ids_path);
    pci_set_name_list_path(h->access, h->ids_path, 0);
  }
  jmp_buf env;
  cpci_jump = &env;
  if (setjmp(env)) {
    cpci_jump = NULL;
    cpci_copy_message(err, errlen);
    // The access struct may be half-initialised; pci_cleanup could fail again, so leak it.
    free(h->sysfs_path); free(h->ids_path); free(h);
    return NULL;
  }
  pci_init(h->access);
  cpci_jump = NULL;
  return h;
}

int cpci_describe(cpci_handle *h, int domain, int bus, int dev, int func, cpci_function *out,
                  uint8_t *config, int config_cap, char *err, size_t errlen) {
  static const int steps[] = {64, 256, 4096};
  struct pci_dev *volatile d = NULL;
  jmp_buf env;
  cpci_jump = &env;
  if (setjmp(env)) {
    cpci_jump = NULL;
    cpci_copy_message(err, errlen);
    if (d) pci_free_dev(d);
    return -1;
  }
  d = pci_get_dev(h->access, domain, bus, dev, func);
  if (!d) { cpci_jump = NULL; snprintf(err, errlen, "libpci has no device %04x:%02x:%02x.%d", domain, bus, dev, func); return -1; }
  int known = pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
  out->vendor_id = d->vendor_id;
  out->device_id = d->device_id;
  out->device_class = d->device_class;
  int have = 0;
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    int upto = steps[i] < config_cap ? steps[i] : config_cap;
    if (upto <= have) break;
    if (!pci_read_block(d, have, config + have, upto - have)) break;
    have = upto;
  }
  if (have >= 64 && (config[0x0e] & 0x7f) == 0) {
    // A type-0 header carries revision, programming interface and subsystem IDs itself: taking
    // them from the config space just read saves libpci three more sysfs files per function.
    out->revision = config[0x08];
    out->prog_if = config[0x09];
    int sv = config[0x2c] | config[0x2d] << 8, sd = config[0x2e] | config[0x2f] << 8;
    int has_subsys = sv != 0xffff && sv != 0;
    out->subsys_vendor_id = has_subsys ? sv : -1;
    out->subsys_id = has_subsys ? sd : -1;
  } else {
    // Bridges keep subsystem IDs in a capability, and without config space only sysfs knows.
    known = pci_fill_info(d, PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS);
    out->prog_if = (known & PCI_FILL_CLASS_EXT) ? d->prog_if : -1;
    out->revision = (known & PCI_FILL_CLASS_EXT) ? d->rev_id : -1;
    int has_subsys = (known & PCI_FILL_SUBSYS) && d->subsys_vendor_id != 0xffff && d->subsys_vendor_id != 0;
    out->subsys_vendor_id = has_subsys ? d->subsys_vendor_id : -1;
    out->subsys_id = has_subsys ? d->subsys_id : -1;
  }
  out->config_size = have;
  cpci_jump = NULL;
  pci_free_dev(d);
  return 0;
}

int cpci_lookup(cpci_handle *h, int kind, int a, int b, int c, int d, char *out, size_t outlen) {
  int flags = PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB;
  char *r = NULL;
  jmp_buf env;
  cpci_jump = &env;
  if (setjmp(env)) { cpci_jump = NULL; return 0; }
  switch (kind) {
    case 1: r = pci_lookup_name(h->access, out, (int)outlen, flags | PCI_LOOKUP_VENDOR, a); break;
    case 2: r = pci_lookup_name(h->access, out, (int)outlen, flags | PCI_LOOKUP_DEVICE, a, b); break;
    case 3: r = pci_lookup_name(h->access, out, (int)outlen, flags | PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, a, b, c, d); break;
    case 4: r = pci_lookup_name(h->access, out, (int)outlen, flags | PCI_LOOKUP_CLASS, a); break;
    default: break;
  }
  cpci_jump = NULL;
  if (!r) return 0;
  if (r != out) snprintf(out, outlen, "%s", r);
  return 1;
}

void cpci_close(cpci_handle *h) {
  if (!h) return;
  jmp_buf env;
  cpci_jump = &env;
  if (!setjmp(env)) pci_cleanup(h->access);
  cpci_jump = NULL;
  free(h->sysfs_path);
  free(h->ids_path);
  free(h);
}
