/// Stores each distinct value once and hands out a small index, so conversations refer to owners, methods,
/// reasons and details by index instead of carrying strings.
public struct InternTable<Value: Hashable & Sendable>: Sendable {
    public private(set) var values: [Value] = []
    var indices: [Value: Int] = [:]
    /// The index handed out last: a run of conversations with one reason (every flow of a file) asks for the
    /// same value again and again, and is answered without hashing it.
    private var last: Int?

    public init() {}

    public mutating func intern(_ value: Value) -> Int {
        if let last, values[last] == value { return last }
        let index = indices[value] ?? {
            values.append(value)
            indices[value] = values.count - 1
            return values.count - 1
        }()
        last = index
        return index
    }

    public subscript(index: Int) -> Value { values[index] }
}
