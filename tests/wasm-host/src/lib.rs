//! A wasmtime host for Attest's WebAssembly module (`attest_wasm.wasm`): what the parity
//! tests and the benchmark drive, and a worked example of the ABI documented in
//! `wasm/README.md` for any Rust host.
//!
//! ```no_run
//! use attest_wasm_host::{Call, Host};
//! let host = Host::new(&std::fs::read("attest_wasm.wasm")?, None)?;
//! let mut instance = host.instantiate()?;
//! let response = instance.call(Call::Explain, br#"{"id": "CC6.1"}"#)?;
//! assert!(response.starts_with(r#"{"ok":true"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use wasmtime::{Config, Engine, Instance as WasmInstance, Memory, Module, Store, TypedFunc};

/// The module's calls that take a JSON request and return a JSON response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `attest_evaluate`.
    Evaluate,
    /// `attest_validate`.
    Validate,
    /// `attest_explain`.
    Explain,
    /// `attest_test`.
    Test,
}

impl Call {
    /// The export's name.
    pub fn export(self) -> &'static str {
        match self {
            Call::Evaluate => "attest_evaluate",
            Call::Validate => "attest_validate",
            Call::Explain => "attest_explain",
            Call::Test => "attest_test",
        }
    }
}

/// A compiled module, ready to be instantiated any number of times.
pub struct Host {
    engine: Engine,
    module: Module,
    fuel: Option<u64>,
}

/// What a host may limit in each instance.
struct Limits {
    memory: wasmtime::StoreLimits,
}

/// One instance of the module: its own linear memory and its own cached built-in pack.
pub struct Instance {
    store: Store<Limits>,
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    free: TypedFunc<(u32, u32), u32>,
    out_of_memory: TypedFunc<(), u32>,
    calls: [TypedFunc<(u32, u32), u64>; 4],
    fuel: Option<u64>,
}

/// The ABI version this host speaks.
pub const ABI_VERSION: u32 = 3;

/// Largest linear memory an instance may grow to (the wasm32 maximum is 4 GiB).
pub const MAX_MEMORY: usize = 2 << 30;

impl Host {
    /// Compiles the module with Cranelift. With `fuel`, every call may execute at most that
    /// many units of fuel (about one per wasm instruction) before it traps: the host's own
    /// bound on CPU, on top of the module's per-rule operation budget.
    pub fn new(wasm: &[u8], fuel: Option<u64>) -> wasmtime::Result<Host> {
        let mut config = Config::new();
        config.consume_fuel(fuel.is_some());
        let engine = Engine::new(&config)?;
        let module = Module::new(&engine, wasm)?;
        Ok(Host {
            engine,
            module,
            fuel,
        })
    }

    /// The module's imports as `module::name` (Attest's module must have none).
    pub fn imports(&self) -> Vec<String> {
        self.module
            .imports()
            .map(|i| format!("{}::{}", i.module(), i.name()))
            .collect()
    }

    /// The module's exports, by name.
    pub fn exports(&self) -> Vec<String> {
        self.module.exports().map(|e| e.name().to_owned()).collect()
    }

    /// A fresh instance, with no imports and memory capped at [`MAX_MEMORY`].
    pub fn instantiate(&self) -> wasmtime::Result<Instance> {
        self.instantiate_capped(MAX_MEMORY)
    }

    /// A fresh instance, with no imports and memory capped at `max_memory` bytes.
    pub fn instantiate_capped(&self, max_memory: usize) -> wasmtime::Result<Instance> {
        let limits = Limits {
            memory: wasmtime::StoreLimitsBuilder::new()
                .memory_size(max_memory)
                .instances(1)
                .build(),
        };
        let mut store = Store::new(&self.engine, limits);
        store.limiter(|l| &mut l.memory);
        if let Some(fuel) = self.fuel {
            store.set_fuel(fuel)?;
        }
        let instance = WasmInstance::new(&mut store, &self.module, &[])?;
        let version: TypedFunc<(), u32> =
            instance.get_typed_func(&mut store, "attest_abi_version")?;
        let abi = version.call(&mut store, ())?;
        if abi != ABI_VERSION {
            return Err(wasmtime::Error::msg(format!(
                "the module speaks ABI version {abi}; this host speaks {ABI_VERSION}"
            )));
        }
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| wasmtime::Error::msg("the module exports no memory"))?;
        let call = |store: &mut Store<Limits>, c: Call| {
            instance.get_typed_func::<(u32, u32), u64>(store, c.export())
        };
        let calls = [
            call(&mut store, Call::Evaluate)?,
            call(&mut store, Call::Validate)?,
            call(&mut store, Call::Explain)?,
            call(&mut store, Call::Test)?,
        ];
        Ok(Instance {
            memory,
            out_of_memory: instance.get_typed_func(&mut store, "attest_out_of_memory")?,
            alloc: instance.get_typed_func(&mut store, "attest_alloc")?,
            free: instance.get_typed_func(&mut store, "attest_free")?,
            calls,
            fuel: self.fuel,
            store,
        })
    }
}

impl Instance {
    /// Sends one request and returns the response text. An `Err` means the instance
    /// trapped (out of fuel, out of memory): throw the instance away and make a new one.
    pub fn call(&mut self, call: Call, request: &[u8]) -> wasmtime::Result<String> {
        let len = u32::try_from(request.len())
            .map_err(|_| wasmtime::Error::msg("the request is larger than 4 GiB"))?;
        self.refuel()?;
        let ptr = self.alloc(len)?;
        if len > 0 && ptr == 0 {
            return Err(wasmtime::Error::msg("the module is out of memory"));
        }
        self.memory.write(&mut self.store, ptr as usize, request)?;
        let response = self.call_at(call, ptr, len)?;
        self.free_checked(ptr, len)?;
        Ok(response)
    }

    /// Calls `call` on the request at `ptr..ptr+len` of the module's memory as it is (the
    /// raw ABI, for tests of its checks), then reads and frees the response.
    pub fn call_at(&mut self, call: Call, ptr: u32, len: u32) -> wasmtime::Result<String> {
        self.refuel()?;
        let func = match call {
            Call::Evaluate => &self.calls[0],
            Call::Validate => &self.calls[1],
            Call::Explain => &self.calls[2],
            Call::Test => &self.calls[3],
        };
        let packed = func.call(&mut self.store, (ptr, len))?;
        let (out_ptr, out_len) = ((packed >> 32) as u32, packed as u32);
        let mut out = vec![0u8; out_len as usize];
        self.memory.read(&self.store, out_ptr as usize, &mut out)?;
        self.free_checked(out_ptr, out_len)?;
        String::from_utf8(out).map_err(|e| wasmtime::Error::msg(e.to_string()))
    }

    /// `attest_alloc(len)`: the address of a new buffer (0 for length 0, or out of memory).
    pub fn alloc(&mut self, len: u32) -> wasmtime::Result<u32> {
        if len == 0 {
            return Ok(0);
        }
        self.alloc.call(&mut self.store, len)
    }

    /// `attest_free(ptr, len)`: 0 when released, 1 when no live buffer starts at `ptr`, 2
    /// when the one there has another length.
    pub fn free(&mut self, ptr: u32, len: u32) -> wasmtime::Result<u32> {
        self.free.call(&mut self.store, (ptr, len))
    }

    /// Writes `bytes` at `ptr` of the module's memory.
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> wasmtime::Result<()> {
        Ok(self.memory.write(&mut self.store, ptr as usize, bytes)?)
    }

    /// Gives the next call its whole fuel, when the host counts fuel.
    fn refuel(&mut self) -> wasmtime::Result<()> {
        if let Some(fuel) = self.fuel {
            self.store.set_fuel(fuel)?;
        }
        Ok(())
    }

    fn free_checked(&mut self, ptr: u32, len: u32) -> wasmtime::Result<()> {
        match self.free(ptr, len)? {
            0 => Ok(()),
            code => Err(wasmtime::Error::msg(format!(
                "attest_free({ptr}, {len}) returned {code}"
            ))),
        }
    }

    /// With fuel, how much the last [`Instance::call`] used (about one unit per WebAssembly
    /// instruction run): the module's work, which unlike its time does not move with the
    /// machine's other load, for comparing two builds of the module.
    pub fn fuel_used(&self) -> Option<u64> {
        Some(self.fuel? - self.store.get_fuel().ok()?)
    }

    /// `attest_out_of_memory()`: whether the last call ran out of memory (after a trap, why;
    /// with fuel of its own, since a call out of fuel leaves none).
    pub fn out_of_memory(&mut self) -> wasmtime::Result<bool> {
        self.refuel()?;
        Ok(self.out_of_memory.call(&mut self.store, ())? == 1)
    }

    /// The size of the instance's linear memory, in bytes.
    pub fn memory_size(&self) -> usize {
        self.memory.data_size(&self.store)
    }
}

pub use attest_tests::repo_root;

/// The module to test: `$ATTEST_WASM` if set; otherwise `wasm/build.sh` is run (once per
/// process, incrementally) so that the tests always see a module built from the current
/// sources, and its output `wasm/pkg/attest.wasm` is used. The nested build has its own
/// target directory (`target/wasm-module`), so it never waits on the running `cargo test`.
pub fn module_path() -> PathBuf {
    if let Some(path) = std::env::var_os("ATTEST_WASM") {
        return PathBuf::from(path);
    }
    static BUILT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let root = repo_root();
    let built = BUILT.get_or_init(|| {
        run(
            std::process::Command::new("bash")
                .arg(root.join("wasm/build.sh"))
                .env("CARGO_TARGET_DIR", root.join("target/wasm-module")),
            "wasm/build.sh",
        )
        .map(drop)
    });
    if let Err(e) = built {
        // Reported by the caller when it reads the file.
        eprintln!("{e}");
    }
    root.join("wasm/pkg/attest.wasm")
}

/// The test tools of `wasm/test` (playwright-core, typescript), installed by `npm ci` when
/// missing, once per process; the error says why they could not be.
pub fn node_test_tools() -> Result<(), String> {
    static INSTALLED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let install = || {
        let dir = repo_root().join("wasm/test");
        let modules = dir.join("node_modules");
        if modules.join("playwright-core").is_dir() && modules.join("typescript").is_dir() {
            return Ok(());
        }
        run(
            std::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir),
            "npm ci --prefix wasm/test",
        )
        .map(drop)
    };
    INSTALLED.get_or_init(install).clone()
}

/// Runs `cmd`, a `node` command (Node 20 or later on the PATH), to its end: what it printed
/// (its standard output, then its standard error), or the error holding it when it failed.
pub fn node(cmd: &mut std::process::Command) -> Result<String, String> {
    run(cmd, "node (20 or later, on the PATH)")
}

/// Runs `cmd` to its end: what it printed (standard output, then error); the error names it
/// (`what`) and holds what it printed.
fn run(cmd: &mut std::process::Command, what: &str) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        return Ok(text);
    }
    Err(format!("{what} failed:\n{text}"))
}

/// JSON text for a facts source list: `[{"name": ..., "text": ...}, ...]`.
pub fn sources_json(sources: &[(String, String)]) -> String {
    let items: Vec<serde_json::Value> = sources
        .iter()
        .map(|(name, text)| serde_json::json!({"name": name, "text": text}))
        .collect();
    serde_json::Value::Array(items).to_string()
}

/// An evaluate or validate request for `sources` with their texts attached after its JSON
/// (the ABI's attached texts, as the JS wrapper sends them): `{"facts": [{"name", "text":
/// [offset, length]}, ...]}`, a NUL byte, then the texts one after another.
pub fn attached_facts_request(sources: &[(String, String)]) -> Vec<u8> {
    let mut offset = 0;
    let items: Vec<serde_json::Value> = sources
        .iter()
        .map(|(name, text)| {
            offset += text.len();
            serde_json::json!({"name": name, "text": [offset - text.len(), text.len()]})
        })
        .collect();
    let mut request = serde_json::json!({ "facts": items })
        .to_string()
        .into_bytes();
    request.push(0);
    for (_, text) in sources {
        request.extend_from_slice(text.as_bytes());
    }
    request
}

/// Serves files under `root` over HTTP/1.0 on 127.0.0.1, one thread per connection, for the
/// browser tests; returns the port.
pub fn serve(root: &Path) -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || respond(&root, stream));
        }
    });
    Ok(port)
}

fn respond(root: &Path, mut stream: TcpStream) {
    let mut line = String::new();
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
            break;
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path
        .split('?')
        .next()
        .unwrap_or("/")
        .trim_start_matches('/');
    let rel = Path::new(path);
    let safe = rel.components().all(|c| matches!(c, Component::Normal(_)));
    let file = root.join(rel);
    let (status, body, kind) = match std::fs::read(&file) {
        Ok(body) if safe => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("mjs" | "js") => "text/javascript; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                Some("json") => "application/json",
                Some("wasm") => "application/wasm",
                _ => "application/octet-stream",
            };
            ("200 OK", body, kind)
        }
        _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let _ = write!(
        stream,
        "HTTP/1.0 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}
