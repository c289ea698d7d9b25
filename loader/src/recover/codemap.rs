//! What the fault handler knows about one loaded module (the host executable or a patch
//! library): where its code is, how to unwind each of its frames, and which function and source
//! line an address is. Everything is read from the module's ELF file when it is loaded
//! (`.eh_frame` through `gimli`, `.symtab`, the DWARF line tables) into sorted, immutable
//! arrays, so that the handler only does binary searches: no parsing, no allocation, no lock.

use crate::elf::{self, Section};
use gimli::{CfaRule, EndianSlice, LittleEndian, Register, RegisterRule, UnwindSection};
use std::ffi::c_void;

/// The registers an unwind restores, in DWARF numbering: rbx, rbp, r12..r15, then the return
/// address column.
pub const UNWOUND: [u16; 7] = [3, 6, 12, 13, 14, 15, 16];
/// A rule slot meaning "the register keeps its value in the caller".
pub const SAME: i32 = i32::MIN;
const RSP: u16 = 7;

/// How to find the caller's registers in frames whose program counter is in `[start, end)`.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    pub start: usize,
    pub end: usize,
    /// The canonical frame address is this register (DWARF number) plus `cfa_offset`.
    pub cfa_register: u16,
    pub cfa_offset: i32,
    /// For each register of [`UNWOUND`], where the caller's value is saved, as an offset from
    /// the canonical frame address, or [`SAME`].
    pub saved: [i32; 7],
}

#[derive(Clone, Copy, Debug)]
struct Symbol {
    start: usize,
    end: usize,
    name: (u32, u32),
}

#[derive(Clone, Copy, Debug)]
struct LineRow {
    address: usize,
    file: u32,
    /// 0: no line (the end of a sequence).
    line: u32,
}

/// The handler's view of one module.
#[derive(Debug)]
pub struct CodeMap {
    /// The code version the module's code is (1: the host).
    pub version: i64,
    /// The mapped span of the module.
    pub lo: usize,
    pub hi: usize,
    /// Spans of hot code: a patch's whole image; in the host, its hot bodies and the functions
    /// it exports for patches to call.
    hot: Vec<(usize, usize)>,
    rows: Vec<Row>,
    symbols: Vec<Symbol>,
    lines: Vec<LineRow>,
    files: Vec<(u32, u32)>,
    /// The PLT stubs through which the module calls functions of other objects: start, end,
    /// and the name of the function each reaches.
    imports: Vec<(usize, usize, (u32, u32))>,
    /// Every name and file name, the ranges above index into it.
    text: String,
}

/// Why a module's tables could not be built. The module then has no recovery, and the
/// handler treats a fault there as one it cannot undo.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    #[error("the module is not mapped in this process")]
    NotMapped,
    #[error("the module has no .eh_frame section")]
    NoUnwindTables,
    #[error("cannot read its unwind tables: {0}")]
    Dwarf(#[from] gimli::Error),
}

/// Where a loaded object is: its load bias and its page-aligned mapped span.
pub fn object_of(addr: usize) -> Option<(usize, usize, usize)> {
    struct Search {
        addr: usize,
        found: Option<(usize, usize, usize)>,
    }
    unsafe extern "C" fn visit(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        data: *mut c_void,
    ) -> libc::c_int {
        // SAFETY: `dl_iterate_phdr` passes a valid object description and our `Search`.
        let (info, search) = unsafe { (&*info, &mut *data.cast::<Search>()) };
        // SAFETY: the object's program headers, as many as it says.
        let headers = unsafe { std::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum.into()) };
        let (mut lo, mut hi) = (usize::MAX, 0);
        for h in headers.iter().filter(|h| h.p_type == libc::PT_LOAD) {
            let start = info.dlpi_addr as usize + h.p_vaddr as usize;
            lo = lo.min(start);
            hi = hi.max(start + h.p_memsz as usize);
        }
        if lo <= search.addr && search.addr < hi {
            search.found = Some((info.dlpi_addr as usize, lo & !0xfff, (hi + 0xfff) & !0xfff));
            return 1;
        }
        0
    }
    let mut search = Search { addr, found: None };
    // SAFETY: `visit` matches the callback type and only reads what it is given.
    unsafe { libc::dl_iterate_phdr(Some(visit), (&mut search as *mut Search).cast()) };
    search.found
}

impl CodeMap {
    /// Builds the tables of the module whose file holds `bytes` and which is mapped where
    /// `inside` (any address in it) is. `hot_bodies`: `None` for a patch (all its code is of
    /// `version`), or the entry addresses of the host's hot functions, whose frames and those of
    /// the functions it exports for patches (`HOST_FN_PREFIX`) alone are hot code in the host.
    pub fn build(
        bytes: &[u8],
        inside: usize,
        version: i64,
        hot_bodies: Option<&[usize]>,
    ) -> Result<CodeMap, MapError> {
        let (bias, lo, hi) = object_of(inside).ok_or(MapError::NotMapped)?;
        let sections = elf::sections(bytes);
        let find = |name: &str| sections.iter().find(|s| s.name == name);
        let eh = find(".eh_frame").ok_or(MapError::NoUnwindTables)?;
        let mut map = CodeMap {
            version,
            ..CodeMap::empty(lo, hi)
        };
        // In the host, the functions it exports for patches to call are hot code too: a patch
        // calls them in place of carrying a copy, so a fault in one may be the patch's.
        let exported = map.symbols_from(&sections, bias);
        let mut hot_starts: Vec<usize> = hot_bodies.unwrap_or(&[]).to_vec();
        hot_starts.extend(exported);
        hot_starts.sort_unstable();
        let wanted =
            |start: usize| hot_bodies.is_none() || hot_starts.binary_search(&start).is_ok();
        map.unwind_rows(eh, find(".text").map_or(0, |t| t.addr), bias, wanted)?;
        map.hot = match hot_bodies {
            None => vec![(lo, hi)],
            Some(_) => {
                let mut spans: Vec<(usize, usize)> = Vec::new();
                for r in &map.rows {
                    match spans.last_mut() {
                        Some(last) if last.1 == r.start => last.1 = r.end,
                        _ => spans.push((r.start, r.end)),
                    }
                }
                spans
            }
        };
        map.imports_from(&sections, bias);
        // Line tables are a courtesy of the report: a module without them still recovers.
        let _ = map.lines_from(&sections, bias, hot_bodies.is_some());
        Ok(map)
    }

    /// Reads the rows of every FDE whose function `wanted` accepts; returns each such
    /// function's span (what the FDE covers).
    pub(super) fn unwind_rows(
        &mut self,
        eh: &Section,
        text: u64,
        bias: usize,
        wanted: impl Fn(usize) -> bool,
    ) -> Result<Vec<(usize, usize)>, MapError> {
        let mut spans = Vec::new();
        let frame = gimli::EhFrame::new(eh.data, LittleEndian);
        let bases = gimli::BaseAddresses::default()
            .set_eh_frame(eh.addr)
            .set_text(text);
        let mut ctx = gimli::UnwindContext::new();
        let mut entries = frame.entries(&bases);
        while let Some(entry) = entries.next()? {
            let gimli::CieOrFde::Fde(partial) = entry else {
                continue;
            };
            let fde = partial.parse(|s, b, o| s.cie_from_offset(b, o))?;
            let start = fde.initial_address() as usize + bias;
            if !wanted(start) {
                continue;
            }
            spans.push((start, start + fde.len() as usize));
            let mut table = fde.rows(&frame, &bases, &mut ctx)?;
            while let Some(row) = table.next_row()? {
                let CfaRule::RegisterAndOffset { register, offset } = *row.cfa() else {
                    // An expression rule: LLVM emits none for x86-64 code; such a frame ends
                    // the unwind (no row).
                    continue;
                };
                let mut saved = [SAME; 7];
                let mut usable = true;
                for (slot, reg) in saved.iter_mut().zip(UNWOUND) {
                    match row.register(Register(reg)) {
                        RegisterRule::Offset(n) => *slot = n as i32,
                        RegisterRule::SameValue | RegisterRule::Undefined => {}
                        _ => usable = false,
                    }
                }
                if usable && saved[6] != SAME {
                    self.rows.push(Row {
                        start: row.start_address() as usize + bias,
                        end: row.end_address() as usize + bias,
                        cfa_register: register.0,
                        cfa_offset: offset as i32,
                        saved,
                    });
                }
            }
        }
        self.rows.sort_by_key(|r| r.start);
        spans.sort_unstable();
        Ok(spans)
    }

    /// An empty map of a module mapped at `[lo, hi)` that holds no hot code: a C library.
    pub(super) fn empty(lo: usize, hi: usize) -> CodeMap {
        CodeMap {
            version: 0,
            lo,
            hi,
            hot: Vec::new(),
            rows: Vec::new(),
            symbols: Vec::new(),
            lines: Vec::new(),
            files: Vec::new(),
            imports: Vec::new(),
            text: String::new(),
        }
    }

    /// Adds a function symbol at `[start, end)` (run-time addresses).
    pub(super) fn add_symbol(&mut self, start: usize, end: usize, name: &str) {
        let name = self.push_text(name);
        self.symbols.push(Symbol { start, end, name });
    }

    /// Sorts the symbols added with [`CodeMap::add_symbol`], for the lookups.
    pub(super) fn sort_symbols(&mut self) {
        // Of several names for one address (`_IO_puts` and `puts`), the one a program calls
        // comes first: the name without a leading underscore, then the shortest in order
        // (`memcpy` before `memmove`, `remquo` before `remquof64`), so the choice is the same
        // in every run.
        let text = &self.text;
        self.symbols.sort_by_key(|s| {
            let (at, len) = (s.name.0 as usize, s.name.1 as usize);
            let name = text.get(at..at + len).unwrap_or("");
            (s.start, name.starts_with('_'), name, s.end)
        });
        self.symbols.dedup_by_key(|s| s.start);
    }

    fn push_text(&mut self, s: &str) -> (u32, u32) {
        let at = self.text.len() as u32;
        self.text.push_str(s);
        (at, s.len() as u32)
    }

    /// Reads the function symbols, named without the prefixes of hot builds. Returns the start
    /// of each function exported for patches (`HOST_FN_PREFIX`).
    fn symbols_from(&mut self, sections: &[Section], bias: usize) -> Vec<usize> {
        let mut exported = Vec::new();
        let Some(symtab) = sections.iter().find(|s| s.kind == 2) else {
            return exported;
        };
        let strings = sections
            .get(symtab.link as usize)
            .map_or(&[][..], |s| s.data);
        for sym in symtab.data.chunks_exact(24) {
            let name_at = u32::from_le_bytes([sym[0], sym[1], sym[2], sym[3]]) as usize;
            let is_function = sym[4] & 0xf == 2;
            let value = u64::from_le_bytes(sym[8..16].try_into().unwrap_or([0; 8])) as usize;
            let size = u64::from_le_bytes(sym[16..24].try_into().unwrap_or([0; 8])) as usize;
            if !is_function || value == 0 || size == 0 {
                continue;
            }
            let name = strings
                .get(name_at..)
                .and_then(|n| n.split(|&b| b == 0).next())
                .and_then(|n| std::str::from_utf8(n).ok())
                .unwrap_or("");
            let name = match name.strip_prefix(vais_hot_abi::HOST_FN_PREFIX) {
                Some(plain) => {
                    exported.push(value + bias);
                    plain
                }
                None => name
                    .strip_prefix(vais_hot_abi::PATCH_BODY_PREFIX)
                    .unwrap_or(name),
            };
            let name = self.push_text(name);
            self.symbols.push(Symbol {
                start: value + bias,
                end: value + bias + size,
                name,
            });
        }
        self.symbols.sort_by_key(|s| s.start);
        exported
    }

    /// The PLT stubs and the imported function each calls: a stub is `jmp *slot(%rip)`
    /// (after an `endbr64` and a `bnd` prefix, in the `.plt.sec` form), and the relocation of
    /// that GOT slot in `.rela.plt` names the function.
    fn imports_from(&mut self, sections: &[Section], bias: usize) {
        let Some(dynsym) = sections.iter().find(|s| s.kind == 11) else {
            return;
        };
        let strings = sections
            .get(dynsym.link as usize)
            .map_or(&[][..], |s| s.data);
        let Some(relocations) = sections.iter().find(|s| s.name == ".rela.plt") else {
            return;
        };
        let word = |b: &[u8], at: usize| {
            b.get(at..at + 8)
                .and_then(|w| w.try_into().ok())
                .map_or(0, u64::from_le_bytes)
        };
        // GOT slot (link-time address) to name.
        let mut slots: Vec<(u64, &str)> = Vec::new();
        for r in relocations.data.chunks_exact(24) {
            let symbol = (word(r, 8) >> 32) as usize;
            let name_at = dynsym
                .data
                .get(symbol * 24..symbol * 24 + 4)
                .map_or(0, |n| u32::from_le_bytes([n[0], n[1], n[2], n[3]]) as usize);
            let name = strings
                .get(name_at..)
                .and_then(|n| n.split(|&b| b == 0).next())
                .and_then(|n| std::str::from_utf8(n).ok())
                .unwrap_or("");
            if !name.is_empty() {
                slots.push((word(r, 0), name));
            }
        }
        for plt in sections
            .iter()
            .filter(|s| s.name == ".plt" || s.name == ".plt.sec")
        {
            for (i, stub) in plt.data.chunks_exact(16).enumerate() {
                let Some(k) = stub.windows(2).take(8).position(|w| w == [0xff, 0x25]) else {
                    continue;
                };
                let Some(disp) = stub.get(k + 2..k + 6) else {
                    continue;
                };
                let disp = i32::from_le_bytes([disp[0], disp[1], disp[2], disp[3]]);
                let start = plt.addr + 16 * i as u64;
                let slot = (start + k as u64 + 6).wrapping_add_signed(i64::from(disp));
                if let Some(&(_, name)) = slots.iter().find(|(s, _)| *s == slot) {
                    let name = self.push_text(name);
                    let start = start as usize + bias;
                    self.imports.push((start, start + 16, name));
                }
            }
        }
        self.imports.sort_by_key(|i| i.0);
    }

    /// The imported function that the call returning to `ret` (a return address in this
    /// module) called through a PLT stub, if it was a direct `call rel32` to one.
    pub fn import_called_before(&self, ret: usize) -> Option<&str> {
        let at = ret.checked_sub(5)?;
        if self.imports.is_empty() || !self.contains(at) {
            return None;
        }
        let mut call = [0u8; 5];
        for (i, byte) in call.iter_mut().enumerate() {
            // SAFETY: `at..ret` lies inside this module's mapped span (checked above), just
            // before a return address into its code: the code pages, which are readable.
            *byte = unsafe { std::ptr::read_volatile((at + i) as *const u8) };
        }
        if call[0] != 0xe8 {
            return None;
        }
        let target = ret
            .wrapping_add_signed(i32::from_le_bytes([call[1], call[2], call[3], call[4]]) as isize);
        let i = self.imports.partition_point(|s| s.0 <= target);
        let stub = self.imports.get(i.checked_sub(1)?)?;
        (target < stub.1).then(|| self.slice(stub.2))
    }

    /// The line tables of the module's Vais compile units (`only_vais`: the host also holds the
    /// runtime's, which are large and of no use to the report).
    fn lines_from(
        &mut self,
        sections: &[Section],
        bias: usize,
        only_vais: bool,
    ) -> Result<(), gimli::Error> {
        let load = |id: gimli::SectionId| -> Result<EndianSlice<LittleEndian>, gimli::Error> {
            let data = sections
                .iter()
                .find(|s| s.name == id.name())
                .map_or(&[][..], |s| s.data);
            Ok(EndianSlice::new(data, LittleEndian))
        };
        let dwarf = gimli::Dwarf::load(load)?;
        let mut units = dwarf.units();
        while let Some(header) = units.next()? {
            let unit = dwarf.unit(header)?;
            let is_vais = unit.name.is_some_and(|n| n.slice().ends_with(b".vais"));
            if only_vais && !is_vais {
                continue;
            }
            let Some(program) = unit.line_program.clone() else {
                continue;
            };
            let mut rows = program.rows();
            let mut file_ids: Vec<(u64, u32)> = Vec::new();
            while let Some((header, row)) = rows.next_row()? {
                let index = row.file_index();
                let file = match file_ids.iter().find(|(i, _)| *i == index) {
                    Some((_, f)) => *f,
                    None => {
                        let name = header
                            .file(index)
                            .and_then(|f| dwarf.attr_string(&unit, f.path_name()).ok())
                            .map(|n| String::from_utf8_lossy(n.slice()).into_owned())
                            .unwrap_or_default();
                        let range = self.push_text(&name);
                        self.files.push(range);
                        let f = (self.files.len() - 1) as u32;
                        file_ids.push((index, f));
                        f
                    }
                };
                let line = if row.end_sequence() {
                    0
                } else {
                    row.line().map_or(0, |l| l.get() as u32)
                };
                self.lines.push(LineRow {
                    address: row.address() as usize + bias,
                    file,
                    line,
                });
            }
        }
        // Sequences are sorted within themselves; a stable sort keeps an end-of-sequence row
        // before the next sequence's first row at the same address.
        self.lines.sort_by_key(|r| r.address);
        Ok(())
    }

    /// Whether `pc` is in the module.
    pub fn contains(&self, pc: usize) -> bool {
        self.lo <= pc && pc < self.hi
    }

    /// Whether `pc` is hot code of this module.
    pub fn is_hot(&self, pc: usize) -> bool {
        self.hot.iter().any(|&(lo, hi)| lo <= pc && pc < hi)
    }

    /// The unwind row for `pc`.
    pub fn row(&self, pc: usize) -> Option<&Row> {
        let i = self.rows.partition_point(|r| r.start <= pc);
        let row = self.rows.get(i.checked_sub(1)?)?;
        (pc < row.end).then_some(row)
    }

    /// The name of the function holding `pc`.
    pub fn function(&self, pc: usize) -> Option<&str> {
        let i = self.symbols.partition_point(|s| s.start <= pc);
        let sym = self.symbols.get(i.checked_sub(1)?)?;
        (pc < sym.end).then(|| self.slice(sym.name))
    }

    /// The source file and line of `pc`.
    pub fn line(&self, pc: usize) -> Option<(&str, u32)> {
        let i = self.lines.partition_point(|r| r.address <= pc);
        let row = self.lines.get(i.checked_sub(1)?)?;
        if row.line == 0 {
            return None;
        }
        let file = self.files.get(row.file as usize)?;
        Some((self.slice(*file), row.line))
    }

    fn slice(&self, (at, len): (u32, u32)) -> &str {
        self.text
            .get(at as usize..(at + len) as usize)
            .unwrap_or("")
    }
}

/// Whether the DWARF register `reg` is the stack pointer.
pub fn is_stack_pointer(reg: u16) -> bool {
    reg == RSP
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    extern "C" fn marker_function_for_the_code_map(x: i64) -> i64 {
        std::hint::black_box(x) * 3
    }

    /// The test executable itself is a module with unwind tables and symbols: its tables name a
    /// function of it and give every instruction of it a row whose return address is at the
    /// canonical frame address minus 8, as on every x86-64 frame.
    #[test]
    fn tables_of_this_executable_find_its_functions() {
        let f = marker_function_for_the_code_map as *const () as usize;
        assert_eq!(marker_function_for_the_code_map(2), 6);
        let bytes = std::fs::read("/proc/self/exe").expect("own executable");
        let map = CodeMap::build(&bytes, f, 1, Some(&[f])).expect("tables");
        assert!(map.contains(f) && map.is_hot(f));
        assert!(!map.is_hot(tables_of_this_executable_find_its_functions as *const () as usize));
        let name = map.function(f).expect("a symbol");
        assert!(name.contains("marker_function_for_the_code_map"), "{name}");
        let row = map.row(f).expect("a row at the entry");
        assert!(is_stack_pointer(row.cfa_register));
        assert_eq!((row.cfa_offset, row.saved[6]), (8, -8));
    }
}
