// Loading procscope's eBPF objects with libbpf: libbpf reads the maps from the object's BTF, creates them,
// points the programs' map references at them, loads the programs and links them to a cgroup. Kept behind
// an opaque handle (see CProcscopeLinux.h) because libbpf's headers cannot share a Swift module with
// libpcap's: both define `struct bpf_insn`.
#include "CProcscopeLinux.h"
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PS_MAX_LINKS 8

struct ps_bpf_object {
    struct bpf_object *object;
    struct bpf_link *links[PS_MAX_LINKS];
    int link_count;
};

/// libbpf prints warnings and verifier logs to stderr by default; procscope says in its own words, once,
/// what it could not set up, so libbpf is kept quiet.
static int ps_libbpf_quiet(enum libbpf_print_level level, const char *format, va_list arguments) {
    (void)level; (void)format; (void)arguments;
    return 0;
}

struct ps_bpf_object *ps_bpf_object_load(const char *name, const void *bytes, size_t size,
                                         const char *const *programs, size_t program_count,
                                         char *log, size_t log_size) {
    libbpf_set_print(ps_libbpf_quiet);
    if (log && log_size) log[0] = 0;
    struct ps_bpf_object *loaded = calloc(1, sizeof(*loaded));
    if (!loaded) return NULL;
    LIBBPF_OPTS(bpf_object_open_opts, options, .object_name = name);
    loaded->object = bpf_object__open_mem(bytes, size, &options);
    if (!loaded->object) {
        int error = errno;
        free(loaded);
        errno = error;
        return NULL;
    }
    struct bpf_program *program;
    bpf_object__for_each_program(program, loaded->object) {
        int wanted = 0;
        for (size_t i = 0; i < program_count; i++) wanted |= strcmp(bpf_program__name(program), programs[i]) == 0;
        bpf_program__set_autoload(program, wanted);
        // One log buffer: the first program the verifier refuses stops the load, so only its log is written.
        if (wanted && log && log_size) bpf_program__set_log_buf(program, log, log_size);
    }
    int result = bpf_object__load(loaded->object);
    if (result != 0) {
        bpf_object__close(loaded->object);
        free(loaded);
        errno = -result;
        return NULL;
    }
    return loaded;
}

int ps_bpf_object_attach_cgroup(struct ps_bpf_object *loaded, const char *program_name, int cgroup_fd) {
    if (loaded->link_count == PS_MAX_LINKS) { errno = ENOSPC; return -1; }
    struct bpf_program *program = bpf_object__find_program_by_name(loaded->object, program_name);
    if (!program) { errno = ENOENT; return -1; }
    struct bpf_link *link = bpf_program__attach_cgroup(program, cgroup_fd);
    if (!link) return -1;
    loaded->links[loaded->link_count++] = link;
    return 0;
}

int ps_bpf_object_map(struct ps_bpf_object *loaded, const char *map_name) {
    int descriptor = bpf_object__find_map_fd_by_name(loaded->object, map_name);
    if (descriptor < 0) errno = ENOENT;
    return descriptor;
}

int ps_bpf_map_lookup(int map_fd, const void *key, void *value) {
    return bpf_map_lookup_elem(map_fd, key, value);
}

void ps_bpf_object_close(struct ps_bpf_object *loaded) {
    if (!loaded) return;
    for (int i = loaded->link_count - 1; i >= 0; i--) bpf_link__destroy(loaded->links[i]);
    bpf_object__close(loaded->object);
    free(loaded);
}
