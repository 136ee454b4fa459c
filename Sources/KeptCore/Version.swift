/// kept's version: the one place it is written. `kept --version`, `keptd --version`, the package
/// (`scripts/package` reads it from here) and `packaging/changelog`'s newest entry agree; a test
/// holds them to it.
public enum KeptVersion { public static let current = "0.2.0" }
