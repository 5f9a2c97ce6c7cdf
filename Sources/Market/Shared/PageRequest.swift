/// One page of a list: at most `limit` items with ids above `afterID`, in id order, so that a
/// page walk is stable while items are added. Every list of the API is read this way.
public struct PageRequest: Sendable, Equatable {
    public static let limitDefault = 50
    /// No list answer holds more items than this.
    public static let limitMax = 100

    public var limit: Int
    /// The last id of the page before; nil for the first page.
    public var afterID: Int64?

    public init(limit: Int = limitDefault, afterID: Int64? = nil) {
        precondition(limit >= 1, "a page holds at least one item")
        self.limit = limit
        self.afterID = afterID
    }

    /// The first `limitMax` items: for tests and tools that read a short list whole.
    public static let first = PageRequest(limit: limitMax)
}
