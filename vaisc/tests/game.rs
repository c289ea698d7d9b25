//! SDL2 from Vais, end to end and headless (SDL's `dummy` video driver, the software
//! renderer): `std/sdl`'s structs have SDL's C layout, `tests/sdl/tour.vais` draws, reads
//! pixels back and round-trips events through SDL's queue, the breakout example runs a bounded
//! number of frames and saves them, and an edit of its `#[hot]` draw function under
//! `vaisc pkg watch --run` changes the picture while the game's frame counter and score carry
//! on. The frames before and after that edit become the guide's pictures (`docs/images/`).

#[allow(dead_code)]
mod hot_support;
mod image_support;

use hot_support::{field, Host};
use image_support::{read_bmp, Image};
use std::path::{Path, PathBuf};
use std::process::Command;

fn vaisc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vaisc"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vaisc-game-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A copy of `examples/breakout` in a scratch directory, with a `shots` folder.
fn breakout(name: &str) -> PathBuf {
    let dir = scratch(name);
    for file in ["vais.toml", "breakout.vais"] {
        std::fs::copy(repo().join("examples/breakout").join(file), dir.join(file))
            .expect("copy example");
    }
    std::fs::create_dir_all(dir.join("shots")).expect("shots dir");
    dir
}

/// The headless SDL environment and the game's test switches.
fn headless<'a>(command: &'a mut Command, dir: &Path, every: u32) -> &'a mut Command {
    command
        .current_dir(dir)
        .env("SDL_VIDEODRIVER", "dummy")
        .env("SDL_AUDIODRIVER", "dummy")
        .env("VAIS_AUTOPILOT", "1")
        .env("VAIS_SHOTS", dir.join("shots"))
        .env("VAIS_SHOT_EVERY", every.to_string())
}

/// The frames saved in `dir/shots`, as (frame, code version, path), in frame order.
fn shots(dir: &Path) -> Vec<(i64, i64, PathBuf)> {
    let mut found: Vec<_> = std::fs::read_dir(dir.join("shots"))
        .expect("shots dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let rest = name.strip_prefix("frame-")?.strip_suffix(".bmp")?;
            let (frame, version) = rest.split_once("-v")?;
            Some((frame.parse().ok()?, version.parse().ok()?, p))
        })
        .collect();
    found.sort();
    found
}

fn load(path: &Path) -> Image {
    read_bmp(&std::fs::read(path).expect("read frame")).expect("decode frame")
}

/// Every (struct, field) of std/sdl whose C offset matters, checked against SDL's headers.
const LAYOUT: &[(&str, &[&str])] = &[
    ("SDL_Rect", &["x", "y", "w", "h"]),
    ("SDL_Color", &["r", "g", "b", "a"]),
    (
        "SDL_PixelFormat",
        &[
            "format",
            "palette",
            "BitsPerPixel",
            "BytesPerPixel",
            "Rmask",
            "Amask",
            "Rloss",
            "Ashift",
            "refcount",
            "next",
        ],
    ),
    (
        "SDL_Surface",
        &[
            "flags",
            "format",
            "w",
            "h",
            "pitch",
            "pixels",
            "userdata",
            "locked",
            "clip_rect",
            "map",
            "refcount",
        ],
    ),
    ("SDL_Keysym", &["scancode", "sym", "mod", "unused"]),
    (
        "SDL_KeyboardEvent",
        &["type", "timestamp", "windowID", "state", "repeat", "keysym"],
    ),
    (
        "SDL_MouseMotionEvent",
        &[
            "type", "windowID", "which", "state", "x", "y", "xrel", "yrel",
        ],
    ),
    (
        "SDL_MouseButtonEvent",
        &["type", "which", "button", "state", "clicks", "x", "y"],
    ),
    (
        "SDL_MouseWheelEvent",
        &[
            "type",
            "which",
            "x",
            "y",
            "direction",
            "preciseX",
            "preciseY",
            "mouseX",
            "mouseY",
        ],
    ),
    (
        "SDL_WindowEvent",
        &["type", "windowID", "event", "data1", "data2"],
    ),
    ("SDL_Event", &["type"]),
];

#[test]
fn sdl_structs_have_the_layout_of_sdls_headers() {
    let dir = scratch("layout");
    let mut c = String::from(
        "#include <SDL2/SDL.h>\n#include <stddef.h>\n#include <stdio.h>\nint main(void) {\n",
    );
    let mut v = String::from(
        "U std/sdl\nF off(base: *u8, at: *u8) -> i64 = at as i64 - base as i64\nF main() -> i64 {\n",
    );
    for (ty, fields) in LAYOUT {
        c += &format!("    printf(\"{ty} size %zu\\n\", sizeof({ty}));\n");
        v += &format!(
            "    p_{ty} := malloc(512) as *{ty}\n    printf(\"{ty} size %ld\\n\", off(p_{ty}, &p_{ty}[1]))\n"
        );
        for f in *fields {
            c += &format!("    printf(\"{ty}.{f} %zu\\n\", offsetof({ty}, {f}));\n");
            v += &format!("    printf(\"{ty}.{f} %ld\\n\", off(p_{ty}, &p_{ty}.{f}))\n");
        }
    }
    c += "    return 0;\n}\n";
    v += "    0\n}\n";
    std::fs::write(dir.join("layout.c"), c).expect("write C");
    std::fs::write(dir.join("layout.vais"), v).expect("write Vais");
    let cc = Command::new("cc")
        .args(["layout.c", "-o", "layout_c"])
        .current_dir(&dir)
        .output()
        .expect("run cc");
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let c_out = Command::new(dir.join("layout_c")).output().expect("run C");
    let v_out = vaisc()
        .args(["run", "layout.vais", "-l", "SDL2"])
        .current_dir(&dir)
        .output()
        .expect("run vaisc");
    assert!(
        v_out.status.success(),
        "{}",
        String::from_utf8_lossy(&v_out.stderr)
    );
    let c_text = String::from_utf8_lossy(&c_out.stdout);
    let c_lines: Vec<&str> = c_text.lines().collect();
    let v_text = String::from_utf8_lossy(&v_out.stdout);
    let v_lines: Vec<&str> = v_text.lines().collect();
    assert_eq!(v_lines, c_lines);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every program in `tests/sdl/` (the tour of std/sdl among them) runs headless with SDL2
/// linked and prints exactly its `NAME.stdout`.
#[test]
fn the_sdl_programs_print_what_they_should() {
    let dir = repo().join("tests/sdl");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/sdl")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "vais"))
        .collect();
    programs.sort();
    assert!(!programs.is_empty(), "no programs in tests/sdl");
    for program in &programs {
        let out = vaisc()
            .arg("run")
            .arg(program)
            .args(["-l", "SDL2"])
            .env("SDL_VIDEODRIVER", "dummy")
            .output()
            .expect("run vaisc");
        let name = program.display();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected =
            std::fs::read_to_string(program.with_extension("stdout")).expect("NAME.stdout");
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{name}");
    }
}

#[test]
fn breakout_runs_a_bounded_number_of_frames() {
    let dir = breakout("bounded");
    let build = vaisc()
        .args(["pkg", "build"])
        .current_dir(&dir)
        .output()
        .expect("run vaisc");
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let run = headless(&mut Command::new(dir.join("breakout")), &dir, 30)
        .env("VAIS_FRAMES", "90")
        .output()
        .expect("run the game");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(lines[3].starts_with("done frame=90 "), "{stdout}");
    let frames: Vec<i64> = lines[..3].iter().map(|l| field(l, "frame")).collect();
    assert_eq!(frames, vec![30, 60, 90]);
    let saved = shots(&dir);
    assert_eq!(
        saved.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
        vec![(30, 1), (60, 1), (90, 1)]
    );
    let frame = load(&saved[2].2);
    assert_eq!((frame.width, frame.height), (480, 360));
    // The background, a brick of the top row, and the paddle under the ball.
    assert_eq!(frame.at(2, 350), [20, 24, 48]);
    assert_eq!(frame.at(3, 41), [230, 70, 70]);
    assert!(frame.pixels.contains(&[220, 220, 235]), "no paddle");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The frame numbers the guide's "after" picture may come from.
const PICTURE: i64 = 120;

#[test]
fn editing_draw_under_watch_changes_the_picture_and_keeps_the_game_going() {
    let dir = breakout("watch");
    let host = Host::spawn(
        headless(&mut vaisc(), &dir, 15)
            .args(["pkg", "watch", "--run"])
            .env("VAIS_HOT_LOG", "info"),
    );
    // Frame 60, drawn by the first code version, with a brick already broken. The game's
    // state at a frame does not depend on timing (the autopilot plays the same game every
    // run), so this frame, and the picture made from it, are the same on every run.
    let line = host.wait_stdout("frame 60", |l| l.starts_with("frame=60 "));
    assert_eq!(field(&line, "v"), 1, "{line}");
    assert!(field(&line, "score") > 0, "{line}");
    // The live edit: a new background colour and a new paddle colour, in one save.
    let src = dir.join("breakout.vais");
    let text = std::fs::read_to_string(&src).expect("read source");
    let edited = text
        .replacen(
            "20, 24, 48, 255)   # background",
            "60, 16, 72, 255)   # background",
            1,
        )
        .replacen(
            "220, 220, 235, 255)   # paddle",
            "250, 200, 40, 255)   # paddle",
            1,
        );
    assert_ne!(edited, text, "the edit must change the source");
    std::fs::write(&src, edited).expect("save the edit");
    // The picture after the edit is the first frame at a multiple of PICTURE drawn by the new
    // code: frame 120 unless the machine is too busy to reload within a second.
    host.wait_stdout("a picture frame drawn by the edited code", |l| {
        l.starts_with("frame=") && field(l, "v") == 2 && field(l, "frame") % PICTURE == 0
    });
    let status: Vec<String> = host
        .stdout_lines()
        .into_iter()
        .filter(|l| l.starts_with("frame="))
        .collect();
    drop(host);
    // One game all along: every status line is the next frame of 15, the score never drops,
    // no life is lost (the autopilot does not miss), and the version goes from 1 to 2 once.
    for pair in status.windows(2) {
        assert_eq!(
            field(&pair[1], "frame"),
            field(&pair[0], "frame") + 15,
            "{status:?}"
        );
        assert!(
            field(&pair[1], "score") >= field(&pair[0], "score"),
            "{status:?}"
        );
        assert!(field(&pair[1], "v") >= field(&pair[0], "v"), "{status:?}");
    }
    assert!(status.iter().all(|l| field(l, "lives") == 3), "{status:?}");
    let saved = shots(&dir);
    let before = saved.iter().rfind(|s| s.1 == 1).expect("a frame of v1");
    let after = saved.iter().find(|s| s.1 == 2).expect("a frame of v2");
    // The frame counter carried on through the reload: the first v2 frame is the next shot.
    assert_eq!(after.0, before.0 + 15, "{saved:?}");
    let (old, new) = (load(&before.2), load(&after.2));
    assert_eq!(old.at(2, 350), [20, 24, 48]);
    assert_eq!(new.at(2, 350), [60, 16, 72]);
    assert!(new.pixels.contains(&[250, 200, 40]), "no new paddle colour");
    assert!(
        !new.pixels.contains(&[220, 220, 235]),
        "old paddle colour left"
    );
    assert!(old.differences(&new) > 100_000);
    // Bricks broken before the edit stay broken after it: the state is the same game's.
    let brick = |img: &Image, x: usize, y: usize| img.at(x, y) != img.at(2, 350);
    for row in 0..5 {
        for col in 0..10 {
            let (x, y) = (col * 48 + 4, 40 + row * 18 + 2);
            if !brick(&old, x, y) {
                assert!(!brick(&new, x, y), "brick {row},{col} came back");
            }
        }
    }
    let first = |f: &dyn Fn(&(i64, i64, PathBuf)) -> bool| {
        load(&saved.iter().find(|s| f(s)).expect("a picture frame").2)
    };
    let before = first(&|s| s.0 == 60);
    let after = first(&|s| s.1 == 2 && s.0 % PICTURE == 0);
    let images = repo().join("docs/images");
    std::fs::create_dir_all(&images).expect("docs/images");
    std::fs::write(
        images.join("breakout-before.png"),
        image_support::png(&before),
    )
    .expect("write picture");
    std::fs::write(
        images.join("breakout-after.png"),
        image_support::png(&after),
    )
    .expect("write picture");
    let _ = std::fs::remove_dir_all(&dir);
}
