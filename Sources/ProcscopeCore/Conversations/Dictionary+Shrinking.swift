extension Dictionary {
    /// Gives back the storage a burst left: a Swift dictionary keeps its capacity when entries are removed,
    /// so one that once held 100,000 flows would hold their room for good. Rebuilt when it uses under an
    /// eighth of its room (and the room is worth it); a later burst grows it again.
    mutating func shrinkIfSparse(minimumCapacity: Int = 1024) {
        guard capacity > minimumCapacity, count * 8 < capacity else { return }
        var smaller = Self(minimumCapacity: Swift.max(count * 2, minimumCapacity))
        for (key, value) in self { smaller[key] = value }
        self = smaller
    }
}
