//! A structural check of a patch file before it is handed to the dynamic loader.
//!
//! `dlopen` maps a library's segments straight from the file; a truncated file maps pages past
//! its end, and the first touch of one kills the process with `SIGBUS`. So before loading, the
//! runtime checks that the file is a complete 64-bit little-endian x86-64 shared object: every
//! header and every loadable segment lies inside the file. It also lists a checked file's
//! sections, from which the fault handler's tables are built (`recover/codemap.rs`).

/// One section of an ELF file.
#[derive(Clone, Debug)]
pub struct Section<'a> {
    pub name: &'a str,
    pub kind: u32,
    /// The address it is linked at (before the load bias).
    pub addr: u64,
    pub data: &'a [u8],
    pub link: u32,
}

/// The sections of an ELF file that [`check`] accepted; sections whose contents lie outside
/// the file (such as `.bss`) have no data.
pub fn sections(bytes: &[u8]) -> Vec<Section<'_>> {
    let num = |o: usize, n: usize| -> u64 {
        bytes.get(o..o + n).map_or(0, |b| {
            b.iter()
                .rev()
                .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
        })
    };
    let (shoff, shentsize, shnum, shstrndx) = (
        num(40, 8) as usize,
        num(58, 2) as usize,
        num(60, 2) as usize,
        num(62, 2) as usize,
    );
    let header = |i: usize| shoff + i * shentsize;
    let strtab = header(shstrndx);
    let (str_off, str_size) = (num(strtab + 24, 8) as usize, num(strtab + 32, 8) as usize);
    let names = bytes.get(str_off..str_off + str_size).unwrap_or(&[]);
    (0..shnum)
        .map(|i| {
            let h = header(i);
            let name_at = num(h, 4) as usize;
            let name = names
                .get(name_at..)
                .and_then(|n| n.split(|&b| b == 0).next())
                .and_then(|n| std::str::from_utf8(n).ok())
                .unwrap_or("");
            let kind = num(h + 4, 4) as u32;
            let (offset, size) = (num(h + 24, 8) as usize, num(h + 32, 8) as usize);
            // SHT_NOBITS occupies no bytes of the file.
            let data = if kind == 8 {
                &[][..]
            } else {
                bytes.get(offset..offset + size).unwrap_or(&[])
            };
            Section {
                name,
                kind,
                addr: num(h + 16, 8),
                data,
                link: num(h + 40, 4) as u32,
            }
        })
        .collect()
}

/// Why a file is not a loadable patch, if it is not.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    let u16_at = |o: usize| -> Option<u64> {
        bytes
            .get(o..o + 2)
            .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |o: usize| -> Option<u64> {
        bytes
            .get(o..o + 4)
            .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    };
    let u64_at = |o: usize| -> Option<u64> {
        bytes.get(o..o + 8).map(|b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            u64::from_le_bytes(a)
        })
    };
    if bytes.len() < 64 || &bytes[..4] != b"\x7fELF" {
        return Err("not an ELF file".into());
    }
    if bytes[4] != 2 || bytes[5] != 1 {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    let short = || "the ELF header is cut short".to_string();
    let e_type = u16_at(16).ok_or_else(short)?;
    let machine = u16_at(18).ok_or_else(short)?;
    if e_type != 3 {
        return Err("not a shared library".into());
    }
    if machine != 62 {
        return Err("not built for x86-64".into());
    }
    let len = bytes.len() as u64;
    let phoff = u64_at(32).ok_or_else(short)?;
    let shoff = u64_at(40).ok_or_else(short)?;
    let phentsize = u16_at(54).ok_or_else(short)?;
    let phnum = u16_at(56).ok_or_else(short)?;
    let shentsize = u16_at(58).ok_or_else(short)?;
    let shnum = u16_at(60).ok_or_else(short)?;
    let within = |start: u64, size: u64| start.checked_add(size).is_some_and(|end| end <= len);
    if phentsize < 56 || !within(phoff, phentsize * phnum) {
        return Err("program headers lie outside the file".into());
    }
    if shnum > 0 && !within(shoff, shentsize * shnum) {
        return Err("section headers lie outside the file".into());
    }
    for i in 0..phnum {
        let ph = (phoff + i * phentsize) as usize;
        let p_type = u32_at(ph).ok_or_else(short)?;
        let offset = u64_at(ph + 8).ok_or_else(short)?;
        let filesz = u64_at(ph + 32).ok_or_else(short)?;
        // PT_LOAD, PT_DYNAMIC, PT_NOTE, PT_GNU_EH_FRAME: the loader reads each from the file.
        if matches!(p_type, 1 | 2 | 4 | 0x6474_e550) && !within(offset, filesz) {
            return Err(format!("segment {i} extends past the end of the file"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn rejects_non_elf_and_truncated_files() {
        assert!(check(b"garbage").is_err());
        assert!(check(&[0u8; 100]).is_err());
        let mut header = vec![0u8; 64];
        header[..4].copy_from_slice(b"\x7fELF");
        header[4] = 2;
        header[5] = 1;
        header[16] = 3;
        header[18] = 62;
        header[32] = 64; // program headers start right after the header...
        header[54] = 56;
        header[56] = 1; // ...and there is one, but the file ends here.
        assert_eq!(
            check(&header).err().as_deref(),
            Some("program headers lie outside the file")
        );
    }

    #[test]
    fn accepts_a_real_shared_library() {
        // The C library the test binary itself is linked against is a complete shared object.
        let libc = [
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/usr/lib/x86_64-linux-gnu/libc.so.6",
        ]
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .expect("libc present");
        assert_eq!(check(&libc), Ok(()));
        let sections = super::sections(&libc);
        let text = sections.iter().find(|s| s.name == ".text").expect(".text");
        assert!(!text.data.is_empty() && text.addr > 0);
        assert!(check(&libc[..libc.len() / 2]).is_err());
    }
}
