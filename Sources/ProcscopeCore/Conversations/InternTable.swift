/// Stores each distinct value once and hands out a small index, so conversations refer to owners, methods,
/// reasons and details by index instead of carrying strings.
public struct InternTable<Value: Hashable & Sendable>: Sendable {
    public private(set) var values: [Value] = []
    var indices: [Value: Int] = [:]

    public init() {}

    public mutating func intern(_ value: Value) -> Int {
        if let index = indices[value] { return index }
        values.append(value)
        indices[value] = values.count - 1
        return values.count - 1
    }

    public subscript(index: Int) -> Value { values[index] }
}
