//! Crash recovery end to end for faults inside C library functions (issue 10): a fault inside
//! `strlen`, `memcpy`, `memset`, `puts` (two library frames deep) or libm's `remquo`, called by
//! code of a reloaded version, costs the one hot call, at -O0 and -O2, with `main`'s state
//! continuous; the same call made by the host's own code still ends the process with the report.

// Shared by the hot and watch tests, each of which uses only part of it.
#[allow(dead_code)]
#[macro_use]
mod hot_support;
// Shared by the recovery tests, each file of which uses only part of it.
#[allow(dead_code)]
mod recovery_support;

use recovery_support::{dies_in_version_one, recovers, GOOD_RISKY};

/// A fault inside a C library function that new code called is a fault in the new code: it is
/// unwound out of the library's frames to the Vais call, and recovered like a fault there. The
/// report names the C function and the Vais function and line of the call. The null pointers
/// are computed (`s.frame - s.frame`) so that it is the library, not the Vais code, that
/// touches them.
fn library_fault(name: &str, opt: &str, body: &str, report: &[&str]) {
    recovers(
        &format!("rec-lib-{name}{opt}"),
        opt,
        GOOD_RISKY,
        body,
        report,
    );
}

const STRLEN_NULL: &str = "    p := (s.frame - s.frame) as *u8\n    strlen(p as str) + s.frame\n";

#[test]
fn strlen_of_a_null_pointer_in_new_code_is_recovered_at_o0() {
    library_fault(
        "strlen",
        "-O0",
        STRLEN_NULL,
        &["SIGSEGV (read of address 0x0) in strlen called from risky at game.vais:8, inside step:"],
    );
}

#[test]
fn strlen_of_a_null_pointer_in_new_code_is_recovered_at_o2() {
    library_fault(
        "strlen",
        "-O2",
        STRLEN_NULL,
        &["SIGSEGV (read of address 0x0) in strlen called from risky at game.vais:8, inside step:"],
    );
}

/// The C call is the function's last act: at -O2 it would be a tail call, leaving no frame of
/// `risky` to charge the fault to, so hot code is built without tail calls.
const STRLEN_TAIL: &str = "    p := (s.frame - s.frame) as *u8\n    strlen(p as str)\n";

#[test]
fn a_c_call_in_tail_position_of_new_code_is_recovered_at_o2() {
    library_fault(
        "strlen-tail",
        "-O2",
        STRLEN_TAIL,
        &["SIGSEGV (read of address 0x0) in strlen called from risky at game.vais:8, inside step:"],
    );
}

const MEMCPY_NULL: &str =
    "    q := (s.frame - s.frame) as *u8\n    memcpy(q, s as *u8, s.frame + 256)\n    s.frame\n";

fn memcpy_to_null(opt: &str) {
    library_fault(
        "memcpy",
        opt,
        MEMCPY_NULL,
        &[
            "SIGSEGV (write to address ",
            " in memcpy called from risky at game.vais:8",
        ],
    );
}

at_o0_and_o2!(
    memcpy_to_null:
    memcpy_to_a_null_pointer_in_new_code_is_recovered_at_o0,
    memcpy_to_a_null_pointer_in_new_code_is_recovered_at_o2
);

const MEMSET_NULL: &str =
    "    q := (s.frame - s.frame) as *u8\n    memset(q, 7, s.frame + 256)\n    s.frame\n";

fn memset_to_null(opt: &str) {
    library_fault(
        "memset",
        opt,
        MEMSET_NULL,
        &[
            "SIGSEGV (write to address ",
            " in memset called from risky at game.vais:8",
        ],
    );
}

at_o0_and_o2!(
    memset_to_null:
    memset_to_a_null_pointer_in_new_code_is_recovered_at_o0,
    memset_to_a_null_pointer_in_new_code_is_recovered_at_o2
);

/// `printf("%s")` of a null pointer prints `(null)` in glibc, but `puts` of one faults, in the
/// `strlen` that `puts` calls: two library frames to unwind, `puts`'s own saved registers
/// restored on the way.
const PUTS_NULL: &str = "    p := (s.frame - s.frame) as *u8\n    puts(p as str)\n    s.frame\n";

fn puts_null(opt: &str) {
    library_fault(
        "puts",
        opt,
        PUTS_NULL,
        &["SIGSEGV (read of address 0x0) in strlen via puts called from risky at game.vais:8"],
    );
}

at_o0_and_o2!(
    puts_null:
    puts_of_a_null_pointer_faults_two_library_frames_deep_and_is_recovered_at_o0,
    puts_of_a_null_pointer_faults_two_library_frames_deep_and_is_recovered_at_o2
);

/// libm: `remquo` stores the quotient's low bits through its third argument.
const REMQUO_NULL: &str =
    "    q := (s.frame - s.frame) as *i32\n    r := remquo(7.5, 2.0, q)\n    s.frame * 2 + r as i64\n";

fn remquo_null(opt: &str) {
    library_fault(
        "remquo",
        opt,
        REMQUO_NULL,
        &["SIGSEGV (write to address 0x0) in remquo called from risky at game.vais:8"],
    );
}

at_o0_and_o2!(
    remquo_null:
    a_fault_in_libm_called_from_new_code_is_recovered_at_o0,
    a_fault_in_libm_called_from_new_code_is_recovered_at_o2
);

/// The host's own code (version 1) calling `strlen` of a null pointer still dies by the signal,
/// with the report naming the C function and the host's call.
fn version_one_library_fault(opt: &str) {
    dies_in_version_one(
        &format!("rec-lib-v1{opt}"),
        opt,
        "    I s.frame > 5 {\n        p := (s.frame - s.frame) as *u8\n        R strlen(p as str) + 1\n    }\n    s.frame * 2\n",
        "SIGSEGV (read of address 0x0) in strlen called from risky at game.vais:9",
    );
}

at_o0_and_o2!(
    version_one_library_fault:
    strlen_of_null_in_version_one_ends_the_process_with_the_report_at_o0,
    strlen_of_null_in_version_one_ends_the_process_with_the_report_at_o2
);
