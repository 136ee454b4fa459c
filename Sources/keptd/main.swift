import ArgumentParser

// Swift concurrency's jobs run on NIO's event-loop threads (ConcurrencyOnNIO says why), first thing.
let concurrencyOnNIO = ConcurrencyOnNIO.install()

/// What `AsyncParsableCommand.main()` does, called from here so that the line above comes first.
func runKeptd() async {
    do {
        let parsed = try Keptd.parseAsRoot()
        guard let command = parsed as? Keptd else {
            // --help, --version and the like: a plain command that prints and returns.
            var plain = parsed
            try plain.run()
            return
        }
        try await command.run()
    } catch {
        Keptd.exit(withError: error)
    }
}

await runKeptd()
