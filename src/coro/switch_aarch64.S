/*
 * usim_ctx_switch — AArch64 (AAPCS64) context switch.
 *
 *   void usim_ctx_switch(void **save_sp, void *load_sp);
 *
 * Saves the callee-saved state of the running context in a 160-byte frame
 * on its own stack, stores that stack pointer in *save_sp, loads load_sp
 * and restores the frame found there.  The frame (saved sp points at 0):
 *
 *   offset  registers  why
 *   ------  ---------  --------------------------------------------------
 *      0    x19, x20   callee-saved (AAPCS64 6.1.1)
 *     16    x21, x22   callee-saved
 *     32    x23, x24   callee-saved
 *     48    x25, x26   callee-saved
 *     64    x27, x28   callee-saved
 *     80    x29, x30   frame pointer; link register = resume address
 *     96    d8,  d9    low 64 bits of v8-v15 are callee-saved (6.1.2)
 *    112    d10, d11
 *    128    d12, d13
 *    144    d14, d15
 *
 * sp itself is the value stored in *save_sp; the frame keeps it 16-byte
 * aligned.  The switch returns with `ret` through the restored x30.
 *
 * A new context is entered through usim_ctx_trampoline with x19 = argument
 * and x20 = entry function (coro.c, coro_prepare); the entry never returns.
 */
        .text
        .globl  usim_ctx_switch
        .hidden usim_ctx_switch
        .type   usim_ctx_switch, %function
        .p2align 4
usim_ctx_switch:
        .cfi_startproc
        hint    #34                     /* bti c: valid target of blr/PLT */
        sub     sp, sp, #160
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8,  d9,  [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        mov     x2, sp
        str     x2, [x0]
        mov     sp, x1
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8,  d9,  [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        add     sp, sp, #160
        ret
        .cfi_endproc
        .size   usim_ctx_switch, .-usim_ctx_switch

/* First code of every new context, reached by `ret` (no landing pad needed
 * under BTI). */
        .globl  usim_ctx_trampoline
        .hidden usim_ctx_trampoline
        .type   usim_ctx_trampoline, %function
        .p2align 4
usim_ctx_trampoline:
        .cfi_startproc
        .cfi_undefined x30
        mov     x0, x19
        blr     x20
        brk     #0
        .cfi_endproc
        .size   usim_ctx_trampoline, .-usim_ctx_trampoline

        .section .note.GNU-stack, "", %progbits

/*
 * BTI: declared compatible (GNU_PROPERTY_AARCH64_FEATURE_1_AND, BTI bit):
 * the only indirect-branch target here, usim_ctx_switch, starts with
 * `bti c`; the trampoline is reached by `ret`.  PAC is not declared: the
 * switch does not sign the link registers it saves.
 */
        .section .note.gnu.property, "a"
        .p2align 3
        .long   4                       /* name size */
        .long   16                      /* descriptor size */
        .long   5                       /* NT_GNU_PROPERTY_TYPE_0 */
        .asciz  "GNU"
        .long   0xc0000000              /* GNU_PROPERTY_AARCH64_FEATURE_1_AND */
        .long   4                       /* data size */
        .long   1                       /* BTI */
        .long   0                       /* padding to 8 bytes */
