/// What the user chose in `procscope top`: sort, units, pause, name filter, selection and expanded rows.
/// Changed by key presses (`TopKey`), read by `TopView`.
public struct TopState: Sendable, Equatable {
    public enum Sort: String, CaseIterable, Sendable { case rate, total, pid, name }
    public enum Units: String, CaseIterable, Sendable { case bytes, bits }

    public var sort = Sort.rate
    public var units = Units.bytes
    public var paused = false
    /// Only rows whose program name contains this (case-insensitive); empty for all.
    public var nameFilter = ""
    /// While `/` is being typed: the text so far.
    public var editingFilter: String?
    public var selected = 0
    /// Rows opened with Enter, by `TopRow.id`.
    public var expanded = Set<String>()
    public var quit = false

    public init() {}
}

/// A key as `procscope top` understands it (the terminal layer maps curses key codes to these).
public enum TopKey: Sendable, Equatable {
    case up, down, enter, character(Character), backspace, escape

    /// Applies the key. `rows` are the ids of the rows on screen, in order (for Enter on the selection).
    public static func apply(_ key: TopKey, to state: inout TopState, rows: [String]) {
        if state.editingFilter != nil {
            switch key {
            case .enter: state.nameFilter = state.editingFilter ?? ""; state.editingFilter = nil; state.selected = 0
            case .escape: state.editingFilter = nil
            case .backspace: if state.editingFilter?.isEmpty == false { state.editingFilter?.removeLast() }
            case .character(let c) where !c.isNewline: state.editingFilter?.append(c)
            default: break
            }
            return
        }
        switch key {
        case .up, .character("k"): state.selected = max(0, state.selected - 1)
        case .down, .character("j"): state.selected = min(max(0, rows.count - 1), state.selected + 1)
        case .enter:
            guard state.selected < rows.count else { return }
            let id = rows[state.selected]
            if state.expanded.remove(id) == nil { state.expanded.insert(id) }
        case .character("s"):
            let all = TopState.Sort.allCases
            state.sort = all[(all.firstIndex(of: state.sort)! + 1) % all.count]
        case .character("u"): state.units = state.units == .bytes ? .bits : .bytes
        case .character("p"): state.paused.toggle()
        case .character("/"): state.editingFilter = ""
        case .character("q"): state.quit = true
        default: break
        }
    }
}
