/// The retired slots of a `ConversationTable`, handed out lowest first.
///
/// Lowest first is what lets the table give memory back: live conversations gather at the start, so once a
/// burst's conversations retire, the end of the table is all free and can be dropped (`trimmed`). A LIFO list
/// would keep handing out slots anywhere in the range the burst reached. One bit per slot.
struct FreeSlots {
    private var words: [UInt64] = []
    /// No free slot lies in a word below this one.
    private var lowestWord = 0
    private(set) var count = 0

    mutating func insert(_ slot: Int32) {
        let word = Int(slot) >> 6, bit = UInt64(1) << UInt64(slot & 63)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        guard words[word] & bit == 0 else { return }
        words[word] |= bit
        count += 1
        lowestWord = min(lowestWord, word)
    }

    mutating func popLowest() -> Int32? {
        guard count > 0 else { return nil }
        while words[lowestWord] == 0 { lowestWord += 1 }
        let bit = words[lowestWord].trailingZeroBitCount
        words[lowestWord] &= ~(UInt64(1) << UInt64(bit))
        count -= 1
        return Int32(lowestWord * 64 + bit)
    }

    /// Takes the free slots that end the range `0..<end` out of the set; returns where the range ends without
    /// them.
    mutating func trimmed(end: Int) -> Int {
        var end = end
        while end > 0 {
            let word = (end - 1) >> 6, bit = UInt64(1) << UInt64((end - 1) & 63)
            guard word < words.count, words[word] & bit != 0 else { break }
            words[word] &= ~bit
            count -= 1
            end -= 1
        }
        let wordsNeeded = (end + 63) >> 6
        if words.count > wordsNeeded { words.removeLast(words.count - wordsNeeded) }
        lowestWord = min(lowestWord, words.count)
        return end
    }
}
