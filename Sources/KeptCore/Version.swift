public enum KeptVersion { public static let current = "0.1.0" }
