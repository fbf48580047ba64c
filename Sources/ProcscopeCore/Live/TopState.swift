/// What the user chose in `procscope top`: the view and its grouping, sort, units, pause, name filter,
/// selection, expanded rows and the help overlay. Changed by key presses (`TopKey`), read by `TopView`.
public struct TopState: Sendable, Equatable {
    /// The three tables bandwhich users know: who talks (processes), over what (connections), to whom
    /// (remote hosts).
    public enum View: String, CaseIterable, Sendable { case processes, connections, remotes }
    /// What the processes view adds up: each process; each process with the children it forked (folded into
    /// the eldest ancestor on the table); or the processes of one container or systemd unit.
    public enum Grouping: String, CaseIterable, Sendable { case process, parent, container, unit }
    /// What rows are ordered by: `rate` (sent plus received per second) first; each view offers the keys its
    /// columns show (`TopRows.sorts`).
    public enum Sort: String, CaseIterable, Sendable {
        case rate, total, pid, name, sent, received, conversations, user, remote
    }
    public enum Units: String, CaseIterable, Sendable { case bytes, bits }

    public var view = View.processes
    public var grouping = Grouping.process
    public var sort = Sort.rate
    /// `r`: the other way round (smallest, or Z to A, first).
    public var reversed = false
    public var units = Units.bytes
    public var paused = false
    /// Only rows whose program name contains this (case-insensitive); empty for all.
    public var nameFilter = ""
    /// While `/` is being typed: the text so far.
    public var editingFilter: String?
    public var selected = 0
    /// Rows opened with Enter, by row id.
    public var expanded = Set<String>()
    /// `?`: the keys, over the table.
    public var showsHelp = false
    public var quit = false

    public init() {}

    /// The sort keys the current view and grouping offer, in the order `s` walks them.
    public var sorts: [Sort] { TopRows.sorts(view: view, grouping: grouping) }
}

/// A key as `procscope top` understands it (the terminal layer maps curses key codes to these).
public enum TopKey: Sendable, Equatable {
    case up, down, enter, character(Character), backspace, escape, tab

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
        if state.showsHelp {
            // Any key closes the overlay; q still quits.
            state.showsHelp = false
            if key == .character("q") { state.quit = true }
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
            let sorts = state.sorts
            state.sort = sorts[((sorts.firstIndex(of: state.sort) ?? -1) + 1) % sorts.count]
        case .character("r"): state.reversed.toggle()
        case .tab, .character("v"):
            let all = TopState.View.allCases
            state.view = all[(all.firstIndex(of: state.view)! + 1) % all.count]
            state.selected = 0
            if !state.sorts.contains(state.sort) { state.sort = .rate }
        case .character("g"):
            let all = TopState.Grouping.allCases
            state.view = .processes
            state.grouping = all[(all.firstIndex(of: state.grouping)! + 1) % all.count]
            state.selected = 0
            if !state.sorts.contains(state.sort) { state.sort = .rate }
        case .character("u"): state.units = state.units == .bytes ? .bits : .bytes
        case .character("p"): state.paused.toggle()
        case .character("/"): state.editingFilter = ""
        case .character("?"), .character("h"): state.showsHelp = true
        case .character("q"): state.quit = true
        default: break
        }
    }
}
