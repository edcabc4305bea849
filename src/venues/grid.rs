//! The Web Mercator grid that map clusters are counted in. The same formulas
//! are SQL functions (`paws_cell_x`, `paws_cell_y` in the migrations) that
//! keep `venue_cells`; these pick which cells a view needs.

use crate::geo::BBox;

/// Coarsest level kept in `venue_cells` (4 × 4 cells for the world).
pub const MIN_LEVEL: u8 = 2;
/// Finest level kept in `venue_cells`; finer views are grouped on the fly.
pub const MAX_STORED_LEVEL: u8 = 12;
/// Finest level at all (cells of a few metres); the SQL shifts stay in `int`.
pub const MAX_LEVEL: u8 = 24;
/// Most cells one view may cover, which bounds the answer (about 70 bytes each).
pub const MAX_CELLS: i64 = 256;
/// Highest map zoom accepted.
pub const MAX_ZOOM: u8 = 22;
/// Latitude limit of Web Mercator.
const MAX_LAT: f64 = 85.0511;

/// Column of the cell holding longitude `lng` at level `g`.
pub fn cell_x(lng: f64, g: u8) -> i32 {
    let size = f64::from(1u32 << g);
    ((lng + 180.0) / 360.0 * size).floor().clamp(0.0, size - 1.0) as i32
}

/// Row of the cell holding latitude `lat` at level `g` (row 0 is the north).
pub fn cell_y(lat: f64, g: u8) -> i32 {
    let size = f64::from(1u32 << g);
    let phi = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let y = (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / std::f64::consts::PI) / 2.0;
    (y * size).floor().clamp(0.0, size - 1.0) as i32
}

/// The cells of a view at one level: columns `x0..=x1`, rows `y0..=y1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellRange {
    /// Grid level.
    pub g: u8,
    /// Westmost column.
    pub x0: i32,
    /// Eastmost column.
    pub x1: i32,
    /// Northmost row.
    pub y0: i32,
    /// Southmost row.
    pub y1: i32,
}

impl CellRange {
    /// The cells covering `view` at level `g`.
    pub fn covering(view: BBox, g: u8) -> Self {
        Self {
            g,
            x0: cell_x(view.west, g),
            x1: cell_x(view.east, g),
            y0: cell_y(view.north, g),
            y1: cell_y(view.south, g),
        }
    }

    /// How many cells the range holds.
    pub fn cells(&self) -> i64 {
        (i64::from(self.x1 - self.x0) + 1) * (i64::from(self.y1 - self.y0) + 1)
    }

    /// The range for a map at `zoom` showing `view`: level zoom + 2, made
    /// coarser until it holds at most [`MAX_CELLS`], whatever zoom a client
    /// claims for whatever box.
    pub fn for_view(view: BBox, zoom: u8) -> Self {
        let mut g = (zoom.min(MAX_ZOOM) + 2).clamp(MIN_LEVEL, MAX_LEVEL);
        loop {
            let range = Self::covering(view, g);
            if g == MIN_LEVEL || range.cells() <= MAX_CELLS {
                return range;
            }
            g -= 1;
        }
    }

    /// Whether `venue_cells` holds this level.
    pub fn is_stored(&self) -> bool {
        self.g <= MAX_STORED_LEVEL
    }
}

/// The zoom a map of about 1 000 × 700 pixels would show `view` at, for
/// clients that do not say.
pub fn zoom_for(view: BBox) -> u8 {
    let width = (view.east - view.west).max(1e-6);
    let height = (cell_y_frac(view.south) - cell_y_frac(view.north)).max(1e-9);
    let by_width = (1000.0 / 256.0 * 360.0 / width).log2();
    let by_height = (700.0 / 256.0 / height).log2();
    by_width.min(by_height).floor().clamp(0.0, f64::from(MAX_ZOOM)) as u8
}

fn cell_y_frac(lat: f64) -> f64 {
    let phi = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / std::f64::consts::PI) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_match_the_tile_scheme() {
        // Berlin (13.4, 52.52) is in tile 8801/5373 at zoom 14 of the OSM scheme.
        assert_eq!((cell_x(13.4, 14), cell_y(52.52, 14)), (8801, 5373));
        assert_eq!((cell_x(-180.0, 3), cell_x(180.0, 3)), (0, 7));
        assert_eq!((cell_y(90.0, 3), cell_y(-90.0, 3)), (0, 7));
        assert_eq!(cell_y(0.0, 1), 1, "the equator starts the southern row");
    }

    #[test]
    fn a_view_never_covers_more_than_the_cap() {
        let world = BBox::new(-90.0, -180.0, 90.0, 180.0).unwrap();
        for zoom in [0, 5, 12, 22, 255] {
            let range = CellRange::for_view(world, zoom);
            assert!(range.cells() <= MAX_CELLS, "zoom {zoom}: {range:?}");
        }
        let city = BBox::new(52.45, 13.25, 52.55, 13.45).unwrap();
        let range = CellRange::for_view(city, 12);
        assert_eq!(range.g, 14);
        assert!(!range.is_stored());
        assert!(CellRange::for_view(city, 8).is_stored());
        assert_eq!(zoom_for(city), 12);
        assert_eq!(zoom_for(world), 1);
    }
}
