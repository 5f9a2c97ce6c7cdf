extension Result where Failure == any Error {
    /// An async throwing call's outcome as a value: a batch answers each of its commands with one.
    static func of(_ body: () async throws -> Success) async -> Result {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}
