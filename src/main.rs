//! The `xmindconv` command: parse arguments, read each input, write each output.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
