import ProcscopeCore

/// Tickets by when they are due, earliest first: a binary min-heap.
///
/// The attribution worker asks "what is due now, and when is the next?" on every turn, tens of thousands of
/// turns a second under connection churn, with a thousand lookups waiting. Answered by scanning every waiter,
/// that was a sixth of procscope's CPU (perf, 20,000 connections); a heap answers the first in constant time
/// and takes each due ticket in logarithmic time. A ticket taken out early (its lookup woken by a close)
/// is not searched for: its holder forgets the ticket, and skips it when it comes up here (`popDue`).
struct DeadlineHeap {
    private var items: [(due: Timestamp, ticket: Int)] = []

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    /// The earliest ticket and when it is due, nil when empty.
    var first: (due: Timestamp, ticket: Int)? { items.first }

    mutating func insert(_ ticket: Int, due: Timestamp) {
        items.append((due, ticket))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].due < items[parent].due else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Takes out the earliest ticket if it is due at `now`.
    mutating func popDue(now: Timestamp) -> Int? {
        guard let first = items.first, first.due <= now else { return nil }
        return popFirst().ticket
    }

    /// Takes out the earliest ticket whatever its time (one its holder no longer keeps). Not when empty.
    @discardableResult
    mutating func popFirst() -> (due: Timestamp, ticket: Int) {
        let first = items[0]
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count && items[left].due < items[smallest].due { smallest = left }
            if right < items.count && items[right].due < items[smallest].due { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    /// Takes out every ticket, and lets go of the memory a burst of them took.
    mutating func removeAll() { items = [] }
}
