// Hand assembly of eBPF programs (procscope has no clang/libbpf at build time): the bpf() syscall, one
// macro per instruction form used, a tiny assembler with labels so jump offsets are computed, not counted
// by hand, and the map and program loaders the recorders share. Private to the C edge (not in include/).
#ifndef PS_BPF_ASSEMBLY_H
#define PS_BPF_ASSEMBLY_H

#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static inline long ps_bpf(int command, union bpf_attr *attr) {
    return syscall(SYS_bpf, command, attr, sizeof(*attr));
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_REG(d, s)      INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i)      INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i)      INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define AND64_IMM(d, i)      INSN(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, i)
#define RSH64_IMM(d, i)      INSN(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define LDX_B(d, s, o)       INSN(BPF_LDX | BPF_MEM | BPF_B, d, s, o, 0)
#define LDX_H(d, s, o)       INSN(BPF_LDX | BPF_MEM | BPF_H, d, s, o, 0)
#define LDX_W(d, s, o)       INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define LDX_DW(d, s, o)      INSN(BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define STX_B(d, s, o)       INSN(BPF_STX | BPF_MEM | BPF_B, d, s, o, 0)
#define STX_H(d, s, o)       INSN(BPF_STX | BPF_MEM | BPF_H, d, s, o, 0)
#define STX_W(d, s, o)       INSN(BPF_STX | BPF_MEM | BPF_W, d, s, o, 0)
#define STX_DW(d, s, o)      INSN(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define ST_B(d, o, i)        INSN(BPF_ST | BPF_MEM | BPF_B, d, 0, o, i)
#define ST_W(d, o, i)        INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define ST_DW(d, o, i)       INSN(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define CALL(f)              INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()               INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/// The two-instruction load of a map's address (the verifier swaps the fd for the map).
#define LD_MAP_FD(d, fd)     INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)

#define R0 0
#define R1 1
#define R2 2
#define R3 3
#define R4 4
#define R5 5
#define R6 6
#define R7 7
#define R8 8
#define R9 9
#define FP 10

/// A program under assembly: instructions appended in order; a jump names a label, resolved by `ps_asm_end`.
struct ps_asm {
    struct bpf_insn insns[160];
    uint32_t count;
    int32_t labels[16];          // instruction index of each label, -1 until placed
    struct { uint32_t at; uint32_t label; } fixups[32];
    uint32_t fixup_count;
    int overflow;
};

static inline void ps_asm_begin(struct ps_asm *a) {
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < 16; i++) a->labels[i] = -1;
}

static inline void ps_asm_emit(struct ps_asm *a, struct bpf_insn insn) {
    if (a->count >= sizeof(a->insns) / sizeof(a->insns[0])) { a->overflow = 1; return; }
    a->insns[a->count++] = insn;
}

/// Places `label` at the next instruction.
static inline void ps_asm_label(struct ps_asm *a, uint32_t label) {
    if (label >= 16) { a->overflow = 1; return; }
    a->labels[label] = (int32_t)a->count;
}

/// A conditional (`op` BPF_JEQ, BPF_JNE, ...) jump comparing register `reg` with `imm`, or an unconditional
/// one (`op` BPF_JA), to `label`.
static inline void ps_asm_jump(struct ps_asm *a, uint8_t op, uint8_t reg, int32_t imm, uint32_t label) {
    if (a->fixup_count >= sizeof(a->fixups) / sizeof(a->fixups[0])) { a->overflow = 1; return; }
    a->fixups[a->fixup_count].at = a->count;
    a->fixups[a->fixup_count++].label = label;
    ps_asm_emit(a, INSN(BPF_JMP | op | BPF_K, reg, 0, 0, imm));
}

/// A jump to `label` when register `reg` equals register `other`.
static inline void ps_asm_jump_eq_reg(struct ps_asm *a, uint8_t reg, uint8_t other, uint32_t label) {
    if (a->fixup_count >= sizeof(a->fixups) / sizeof(a->fixups[0])) { a->overflow = 1; return; }
    a->fixups[a->fixup_count].at = a->count;
    a->fixups[a->fixup_count++].label = label;
    ps_asm_emit(a, INSN(BPF_JMP | BPF_JEQ | BPF_X, reg, other, 0, 0));
}

/// Resolves every jump; 0, or -1 when a label was never placed or the program overflowed.
static inline int ps_asm_end(struct ps_asm *a) {
    if (a->overflow) return -1;
    for (uint32_t i = 0; i < a->fixup_count; i++) {
        int32_t target = a->labels[a->fixups[i].label];
        if (target < 0) return -1;
        a->insns[a->fixups[i].at].off = (int16_t)(target - (int32_t)a->fixups[i].at - 1);
    }
    return 0;
}

/// BPF_MAP_CREATE of an LRU hash (the kernel evicts the oldest records when full): the map fd or -1 (errno).
static inline int ps_lru_map_create(uint32_t key_size, uint32_t value_size, uint32_t entries, const char *name) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.map_type = BPF_MAP_TYPE_LRU_HASH;
    attr.key_size = key_size;
    attr.value_size = value_size;
    attr.max_entries = entries;
    strncpy(attr.map_name, name, sizeof(attr.map_name) - 1);
    return (int)ps_bpf(BPF_MAP_CREATE, &attr);
}

/// BPF_PROG_LOAD of a cgroup program; the program fd, or -1 (errno) with the verifier's log in `log`.
static inline int ps_cgroup_program_load(const struct bpf_insn *program, uint32_t count, enum bpf_prog_type type,
                                         enum bpf_attach_type attach_type, const char *name, char *log,
                                         uint32_t log_size) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = type;
    attr.expected_attach_type = attach_type;
    attr.insns = (uint64_t)(uintptr_t)program;
    attr.insn_cnt = count;
    attr.license = (uint64_t)(uintptr_t)"Dual MIT/GPL";
    attr.log_buf = (uint64_t)(uintptr_t)log;
    attr.log_size = log ? log_size : 0;
    attr.log_level = log ? 1 : 0;
    strncpy(attr.prog_name, name, sizeof(attr.prog_name) - 1);
    return (int)ps_bpf(BPF_PROG_LOAD, &attr);
}

#endif
