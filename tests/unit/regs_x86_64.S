/*
 * regs_switch — test helper: run usim_ctx_switch with chosen values in
 * every callee-saved register and report what comes back.
 *
 *   void regs_switch(void **save, void *load, const uint64_t in[6],
 *                    uint64_t out[6]);
 *
 *   in/out index  0    1    2    3    4    5
 *   register      rbx  rbp  r12  r13  r14  r15
 *
 * The caller's own callee-saved registers are saved first and restored
 * last, so the helper itself keeps the ABI.
 */
        .text
        .globl  regs_switch
        .type   regs_switch, @function
        .p2align 4
regs_switch:
        pushq   %rbx
        pushq   %rbp
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        pushq   %rcx                    /* out; also aligns rsp to 16 */
        movq    0(%rdx), %rbx
        movq    8(%rdx), %rbp
        movq    16(%rdx), %r12
        movq    24(%rdx), %r13
        movq    32(%rdx), %r14
        movq    40(%rdx), %r15
        call    usim_ctx_switch
        popq    %rcx
        movq    %rbx, 0(%rcx)
        movq    %rbp, 8(%rcx)
        movq    %r12, 16(%rcx)
        movq    %r13, 24(%rcx)
        movq    %r14, 32(%rcx)
        movq    %r15, 40(%rcx)
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbp
        popq    %rbx
        ret
        .size   regs_switch, .-regs_switch

        .section .note.GNU-stack, "", @progbits
