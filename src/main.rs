fn main() -> std::process::ExitCode {
    tcap::run()
}
