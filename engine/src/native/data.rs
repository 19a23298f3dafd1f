//! A native run's value as a finding's data: converted to JSON straight from the run's own
//! value, to the same JSON, within the same limits counted in the same order, as Rhai's map
//! would be (a map's entries sorted by key, as Rhai keeps them), without a copy as Rhai's
//! values first.

use super::value::V;
use crate::prelude::data::{self, Data, Room, Within};

impl Data for V {
    fn json_within(&self, room: &mut Room) -> Within {
        match self {
            V::Unit => data::null(room),
            V::Bool(b) => data::boolean(*b, room),
            V::Int(i) => data::int(*i, room),
            V::Float(f) => data::float(*f, room),
            V::Str(s) => data::text(s, room),
            V::Record(r) => data::text(&r.pointer(), room),
            V::List(l) => data::text(l.pointer(), room),
            V::Array(a) => data::array(a.items.iter(), room),
            V::Map(m) => {
                let mut entries: Vec<(&str, &V)> =
                    m.entries.iter().map(|(k, v)| (k.as_str(), v)).collect();
                crate::sorting::sort_by(&mut entries, |a, b| a.0.cmp(b.0));
                data::object(entries.into_iter(), room)
            }
            // Named as Rhai names them.
            V::Lookup(_) | V::Other(_) => self.to_dynamic().json_within(room),
        }
    }
}
