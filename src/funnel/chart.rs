//! The funnel's chart, laid out (the admin page draws it as inline SVG on the
//! server): one small bar chart per measure, stacked, each titled in words,
//! so no measure is told apart by colour. Every bar carries its number as
//! text above it, and the week under it.

use super::{Funnel, Week};

/// The chart's width in SVG units (it scales to its box).
pub const WIDTH: f64 = 480.0;
/// One panel's height: its title, the bars, the numbers above them.
pub const PANEL: f64 = 96.0;
/// The bars' tallest height.
const BARS: f64 = 50.0;
/// Room on the left.
const LEFT: f64 = 8.0;

/// One bar of a panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height (0 for none: the number still says 0).
    pub height: f64,
    /// The number.
    pub value: u64,
    /// "week of 30 Nov".
    pub week: String,
}

/// One measure's panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// What it counts, in words.
    pub title: &'static str,
    /// Top of the panel.
    pub top: f64,
    /// Where the bars stand.
    pub base: f64,
    /// Its bars, oldest week first.
    pub bars: Vec<Bar>,
}

/// How a panel reads its number off a week.
type Measure = fn(&Week) -> u64;

/// The measures the chart shows (the table has every column).
const MEASURES: [(&str, Measure); 6] = [
    ("Guests made", |w| w.made),
    ("Came back after a day", |w| w.back[0]),
    ("Came back after a week", |w| w.back[1]),
    ("Came back after 30 days", |w| w.back[2]),
    ("Claims (every way in)", Week::all_claims),
    ("Guests reaped", |w| w.reaped),
];

/// The chart's height for [`panels`].
pub fn height() -> f64 {
    PANEL * MEASURES.len() as f64 + 16.0
}

/// The panels for `funnel`, each scaled to its own largest number.
pub fn panels(funnel: &Funnel) -> Vec<Panel> {
    let n = funnel.weeks.len().max(1) as f64;
    let slot = (WIDTH - LEFT) / n;
    MEASURES
        .iter()
        .enumerate()
        .map(|(i, (title, value))| {
            let top = PANEL * i as f64;
            let base = top + 22.0 + 14.0 + BARS;
            let max = funnel.weeks.iter().map(value).max().unwrap_or(0).max(1) as f64;
            let bars = funnel
                .weeks
                .iter()
                .enumerate()
                .map(|(j, week)| {
                    let v = value(week);
                    let height = (v as f64 / max * BARS).round();
                    Bar {
                        x: LEFT + slot * j as f64 + slot * 0.15,
                        y: base - height,
                        width: slot * 0.7,
                        height,
                        value: v,
                        week: week.label.clone(),
                    }
                })
                .collect();
            Panel {
                title,
                top,
                base,
                bars,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_their_panels_largest_number() {
        let week = |made, reaped| Week {
            label: "week of 30 Nov".into(),
            made,
            reaped,
            ..Week::default()
        };
        let funnel = Funnel {
            weeks: vec![week(2, 0), week(4, 0)],
        };
        let panels = panels(&funnel);
        assert_eq!(panels.len(), 6);
        assert_eq!(panels[0].bars[1].height, BARS);
        assert_eq!(panels[0].bars[0].height, BARS / 2.0);
        assert_eq!(panels[0].bars[0].y + panels[0].bars[0].height, panels[0].base);
        // Nothing reaped: no bar, and no division by zero.
        assert_eq!(panels[5].bars[0].height, 0.0);
        assert!(panels[5].base < height());
    }
}
