/*
 * usim_ctx_switch — x86-64 System V context switch.
 *
 *   void usim_ctx_switch(void **save_sp, void *load_sp);
 *
 * Saves the callee-saved integer registers of the running context on its
 * own stack, stores that stack pointer in *save_sp, loads load_sp and
 * restores the frame found there.  The frame, lowest address first (the
 * saved stack pointer points at offset 0):
 *
 *   offset  register  why
 *   ------  --------  ---------------------------------------------------
 *      0    r15       callee-saved (SysV ABI 3.2.1)
 *      8    r14       callee-saved
 *     16    r13       callee-saved
 *     24    r12       callee-saved
 *     32    rbx       callee-saved
 *     40    rbp       callee-saved, frame pointer
 *     48    rip       resume address, pushed by the caller's `call`
 *
 * rsp itself is the value stored in *save_sp.  MXCSR and the x87 control
 * word are NOT saved: usim's contract (usim.h, "Floating point") is that
 * tasks leave them as they found them; debug builds check this at every
 * switch (coro.h).  Saving them would cost ~1.3 ns per switch.
 *
 * The switch ends with an indirect `jmp`, not `ret`: the return stack
 * buffer would mispredict every resume into another stack.
 *
 * A new context is entered through usim_ctx_trampoline with r12 = argument
 * and rbx = entry function (see coro.c, coro_prepare); the entry function
 * never returns.
 */
        .text
        .globl  usim_ctx_switch
        .hidden usim_ctx_switch
        .type   usim_ctx_switch, @function
        .p2align 4
usim_ctx_switch:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        popq    %rcx
        jmpq    *%rcx
        .cfi_endproc
        .size   usim_ctx_switch, .-usim_ctx_switch

/* First code of every new context: reached by the jmp above with rsp
 * 16-byte aligned, as after a return. */
        .globl  usim_ctx_trampoline
        .hidden usim_ctx_trampoline
        .type   usim_ctx_trampoline, @function
        .p2align 4
usim_ctx_trampoline:
        .cfi_startproc
        .cfi_undefined rip
        movq    %r12, %rdi
        callq   *%rbx
        ud2
        .cfi_endproc
        .size   usim_ctx_trampoline, .-usim_ctx_trampoline

        .section .note.GNU-stack, "", @progbits

/*
 * CET: declared explicitly NOT compatible (GNU_PROPERTY_X86_FEATURE_1_AND
 * with neither IBT nor SHSTK).  Switching stacks without switching shadow
 * stacks breaks SHSTK, and the indirect jump lands on return addresses, not
 * on endbr64.  A binary linked with this object therefore runs without CET,
 * visibly (ld -z cet-report=warning names this file), never half-enabled.
 */
        .section .note.gnu.property, "a"
        .p2align 3
        .long   4                       /* name size */
        .long   16                      /* descriptor size */
        .long   5                       /* NT_GNU_PROPERTY_TYPE_0 */
        .asciz  "GNU"
        .long   0xc0000002              /* GNU_PROPERTY_X86_FEATURE_1_AND */
        .long   4                       /* data size */
        .long   0                       /* no IBT, no SHSTK */
        .long   0                       /* padding to 8 bytes */
