/// A setup step of a benchmark failed.
public struct WorkloadError: Error, CustomStringConvertible {
    /// What failed.
    public let description: String

    /// Creates an error saying what failed.
    public init(_ description: String) {
        self.description = description
    }
}
