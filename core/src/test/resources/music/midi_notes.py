#!/usr/bin/python3
"""Reads a Standard MIDI File with mido (Debian python3-mido), independently of belamy, and prints
its notes as JSON: {"ppq": .., "tracks": .., "notes": [[tick, duration, pitch, velocity, channel,
program, track], ...], "tempos": [[tick, micros], ...], "timeSignatures": [[tick, num, den], ...]}.

Notes pair by (track, channel, pitch): note_on with velocity > 0 opens, note_off or note_on with
velocity 0 closes. Program changes are channel state in time order (those at a tick apply to notes
starting at it).
"""
import json
import sys

import mido

midi = mido.MidiFile(sys.argv[1])
changes = []  # (tick, track, index, channel, program)
events = []   # (tick, track, index, msg)
for t, track in enumerate(midi.tracks):
    tick = 0
    for i, msg in enumerate(track):
        tick += msg.time
        events.append((tick, t, i, msg))
        if msg.type == "program_change":
            changes.append((tick, t, i, msg.channel, msg.program))
changes.sort()


def program(channel, tick):
    current = 0
    for c in changes:
        if c[0] > tick:
            break
        if c[3] == channel:
            current = c[4]
    return current


notes, tempos, signatures = [], [], []
open_notes = {}
for tick, t, i, msg in sorted(events, key=lambda e: (e[1], e[2])):
    if msg.type == "set_tempo":
        tempos.append((tick, t, i, msg.tempo))
    elif msg.type == "time_signature":
        signatures.append((tick, t, i, msg.numerator, msg.denominator))
    elif msg.type in ("note_on", "note_off"):
        key = (t, msg.channel, msg.note)
        if msg.type == "note_on" and msg.velocity > 0:
            open_notes[key] = (tick, msg.velocity)
        elif key in open_notes:
            onset, velocity = open_notes.pop(key)
            notes.append([onset, tick - onset, msg.note, velocity, msg.channel,
                          program(msg.channel, onset), t])
print(json.dumps({
    "ppq": midi.ticks_per_beat,
    "tracks": len(midi.tracks),
    "trackNames": [next((m.name for m in tr if m.type == "track_name"), "") for tr in midi.tracks],
    "notes": sorted(notes),
    "tempos": [[x[0], x[3]] for x in sorted(tempos)],
    "timeSignatures": [[x[0], x[3], x[4]] for x in sorted(signatures)],
}))
