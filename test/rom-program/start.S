@ Start-up of the ROM test program: a boot2 stub, the vector table, and the trampoline that calls a
@ ROM routine with r0..r3 from memory and counts its cycles on SysTick. Written for picogc's
@ emulated RP2040, which starts executing at the top of flash (0x10000000) as a boot ROM does after
@ it has found a valid boot2; no CRC is needed there, so the stub is not padded to a checked boot2.
.syntax unified
.cpu cortex-m0plus
.thumb

.section .boot2, "ax"
.global boot2_entry
.thumb_func
boot2_entry:
    ldr r0, =0x10000100          @ the vector table follows boot2
    ldr r1, =0xe000ed08          @ VTOR
    str r0, [r1]
    ldr r1, [r0, #0]             @ initial stack pointer
    mov sp, r1
    ldr r1, [r0, #4]             @ reset handler
    bx r1
.ltorg

.section .vectors, "a"
.word 0x20042000                 @ top of SRAM
.word reset_handler
.word fault_handler              @ NMI
.word fault_handler              @ HardFault

.text
.thumb_func
reset_handler:
    bl main
1:  bkpt #0x1f                   @ the host stops the program here
    b 1b

.thumb_func
fault_handler:
    bkpt #0x1e
    b fault_handler

@ void call_rom(uint32_t fn, struct call *c): c->in[0..3] into r0..r3, call fn, store r0, r1 and the
@ SysTick cycles between two reads around the call (the reads cost the same for every routine).
.global call_rom
.thumb_func
call_rom:
    push {r4-r7, lr}
    mov r4, r0
    mov r5, r1
    ldr r7, =0xe000e018          @ SYST_CVR, counting down
    ldr r0, [r5, #0]
    ldr r1, [r5, #4]
    ldr r2, [r5, #8]
    ldr r3, [r5, #12]
    ldr r6, [r7]
    blx r4
    ldr r4, [r7]
    str r0, [r5, #16]
    str r1, [r5, #20]
    subs r6, r6, r4
    ldr r4, =0xffffff
    ands r6, r4
    str r6, [r5, #24]
    pop {r4-r7, pc}

@ The cheapest routine there is: its cycles through call_rom are the trampoline's own.
.global empty_routine
.thumb_func
empty_routine:
    bx lr
.ltorg
