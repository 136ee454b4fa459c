/// Why the store could not be read or written, in words a user can act on.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable { case locked, unsafe, corrupt, version, io }
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }
    public var description: String { message }
}
