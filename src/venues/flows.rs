//! The directory's two reads: the page (list, count, places) for the URL's
//! state, and what the map draws for a view. Both are bounded whatever the
//! view: the count stops at a threshold, pages stop at [`MAX_PAGE`], the map
//! reads at most [`MARKERS_MAX`] markers or [`MAX_CELLS`] cells.
//!
//! [`MAX_CELLS`]: crate::venues::grid::MAX_CELLS

use crate::errors::{Kind, failure};
use crate::geo::BBox;
use crate::text::TextError;
use crate::venues::VenueFilter;
use crate::venues::grid::{CellRange, MAX_STORED_LEVEL, zoom_for};
use crate::venues::queries::Reach;
use crate::venues::search::Search;
use crate::venues::view::{DirectoryQuery, MAX_PAGE, Total};
use crate::venues::{DirectoryPage, MapView};
use crate::venues::{places, queries};
use sqlx::PgPool;

/// Why the directory or the map could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// A search or city that is not text a person typed.
    #[error("{0}")]
    Invalid(TextError),
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(no_limit DirectoryError { Invalid => Kind::Invalid });

/// Counted exactly up to this many; above, the heading says an estimate.
pub const COUNT_LIMIT: i64 = 1000;
/// Most markers a map draws; a view with more is clustered.
pub const MARKERS_MAX: i64 = 300;
/// Most venues a filtered view groups on the fly.
pub const GROUP_LIMIT: i64 = 20_000;
/// Places offered in the place field.
pub const PLACES_OFFERED: i64 = 100;
/// The whole world, when there are no venues to frame.
const WORLD: BBox = BBox {
    south: -60.0,
    west: -180.0,
    north: 75.0,
    east: 180.0,
};

/// The directory page for `query`: its city resolved case-insensitively, its
/// view (the URL's, else the city's, else around every venue), one page of
/// the venues in it nearest the centre (or the visitor), and their count.
/// Its search and city are read again (it may come from outside, as a
/// server function's argument): one that is not text is refused.
pub async fn directory(pool: &PgPool, query: &DirectoryQuery) -> Result<DirectoryPage, DirectoryError> {
    let mut query = DirectoryQuery {
        filter: query.filter.checked().map_err(DirectoryError::Invalid)?,
        ..query.clone()
    };
    let offered = places::places(pool, "", PLACES_OFFERED).await?;
    let mut city_view = None;
    let mut unknown_place = None;
    if let Some(typed) = query.filter.city.clone() {
        match places::place(pool, &typed).await? {
            Some((name, view)) => {
                query.filter.city = Some(name);
                city_view = Some(view);
            }
            None => unknown_place = Some(typed),
        }
    }
    // The page keeps the search as typed; the queries use it understood.
    let (filter, search_city) = understood(pool, &query.filter).await?;
    city_view = city_view.or(search_city);
    let view = match (query.view, city_view) {
        (Some(view), _) | (None, Some(view)) => view,
        (None, None) => queries::everything(pool).await?.unwrap_or(WORLD),
    };
    let centre = query.near.filter(|p| view.contains(*p)).unwrap_or(view.centre());
    let page = |venues, total, more| DirectoryPage {
        query: query.clone(),
        view,
        centre,
        venues,
        total,
        more,
        unknown_place: unknown_place.clone(),
        places: offered.clone(),
    };
    if unknown_place.is_some() {
        return Ok(page(Vec::new(), Total::Exact(0), false));
    }
    let (total, reach) = count(pool, view, &filter).await?;
    if query.page > MAX_PAGE {
        return Ok(page(Vec::new(), total, false));
    }
    // A search with more matches than counted is read nearest first from
    // the view's index: its matches are everywhere, the 21 nearest come soon.
    let reach = match total {
        Total::Exact(_) => reach,
        _ => Reach::View,
    };
    let (venues, more) = queries::in_view(pool, view, centre, &filter, query.page, reach).await?;
    Ok(page(venues, total, more && query.page < MAX_PAGE))
}

/// How many venues in `view` match `filter`. The grid says first roughly how
/// many venues the view holds, so a big view is never counted row by row:
/// Postgres guesses any box at 0.1 % of the table and would read every entry
/// of a country view in a bitmap before a LIMIT could stop it.
/// A search's words are counted whatever the view: in a view of more venues
/// than a filter groups, from their own index ([`Reach::Words`], returned
/// for the list to read the same way).
async fn count(pool: &PgPool, view: BBox, filter: &VenueFilter) -> anyhow::Result<(Total, Reach)> {
    let around = rough_count(pool, view).await?;
    let reach = reach(filter, around);
    if filter.is_empty() && around > 2 * COUNT_LIMIT {
        return Ok((Total::About(around), reach));
    }
    if !filter.is_empty() && reach == Reach::View && around > GROUP_LIMIT {
        return Ok((Total::Many, reach));
    }
    let counted = queries::count_in_view(pool, view, filter, COUNT_LIMIT + 1, reach).await?;
    let total = if counted <= COUNT_LIMIT {
        Total::Exact(counted)
    } else if filter.is_empty() {
        Total::About(around.max(counted))
    } else {
        Total::MoreThan(COUNT_LIMIT)
    };
    Ok((total, reach))
}

/// How to read a view of `around` venues for `filter`: a search with words
/// in a view of more than [`GROUP_LIMIT`] venues from the words' index.
fn reach(filter: &VenueFilter, around: i64) -> Reach {
    let has_words = filter
        .q
        .as_deref()
        .is_some_and(|q| !Search::read(q).words.is_empty());
    if has_words && around > GROUP_LIMIT {
        Reach::Words
    } else {
        Reach::View
    }
}

/// `filter` with its search understood (see [`crate::venues::search`]):
/// without a city chosen, words of the search that name a city we have
/// ("berlin" of "flat white berlin", longest first) become the city, and its
/// extent is returned for the view; the rest stays the search, `None` when
/// nothing of it is left.
pub async fn understood(pool: &PgPool, filter: &VenueFilter) -> anyhow::Result<(VenueFilter, Option<BBox>)> {
    let Some(q) = filter.q.as_deref() else {
        return Ok((filter.clone(), None));
    };
    let mut search = Search::read(q);
    let mut found = None;
    if filter.city.is_none() && !search.words.is_empty() {
        let candidates = phrases(&search.words);
        let names: Vec<String> = candidates.iter().map(|(_, _, p)| p.clone()).collect();
        if let Some((name, view)) = places::city_named(pool, &names).await? {
            let lower = name.to_lowercase();
            if let Some((at, len, _)) = candidates.into_iter().find(|(_, _, p)| *p == lower) {
                search.words.drain(at..at + len);
            }
            found = Some((name, view));
        }
    }
    let understood = VenueFilter {
        q: (!search.is_empty()).then(|| search.to_text()),
        city: filter
            .city
            .clone()
            .or(found.as_ref().map(|(name, _)| name.clone())),
        ..filter.clone()
    };
    Ok((understood, found.map(|(_, view)| view)))
}

/// Where a typed street and city are, from our own venues (no geocoder):
/// the box around the city's venues on that street, else around the city's
/// venues; `None` for a city we have none in. House numbers are left out
/// (a street's other venues are near enough).
pub async fn area(pool: &PgPool, city: &str, street: &str) -> anyhow::Result<Option<BBox>> {
    let Some((name, city_view)) = places::place(pool, city).await? else {
        return Ok(None);
    };
    let mut search = Search::read(street);
    search.words.retain(|w| w.chars().any(char::is_alphabetic));
    let on_street = match search.tsquery() {
        Some(words) => places::street_area(pool, &name, &words).await?,
        None => None,
    };
    Ok(Some(on_street.unwrap_or(city_view)))
}

/// Every run of one to three consecutive `words`, the longest first: where it
/// starts, how many words, and the words joined by spaces.
fn phrases(words: &[String]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for len in (1..=3.min(words.len())).rev() {
        for at in 0..=words.len() - len {
            out.push((at, len, words[at..at + len].join(" ")));
        }
    }
    out
}

/// The venues in the grid cells covering `view` (a few more than in it).
async fn rough_count(pool: &PgPool, view: BBox) -> anyhow::Result<i64> {
    let range = CellRange::for_view(view, zoom_for(view).min(MAX_STORED_LEVEL - 2));
    Ok(queries::stored_clusters(pool, range)
        .await?
        .iter()
        .map(|c| c.n)
        .sum())
}

/// What the map draws for `view` at `zoom` (guessed from the box when the
/// client does not say): every marker when at most [`MARKERS_MAX`] match,
/// else clusters — from `venue_cells` for unfiltered views at stored levels,
/// grouped on the fly from at most [`GROUP_LIMIT`] venues otherwise. A
/// search or city that is not text is refused.
pub async fn map_view(
    pool: &PgPool,
    view: BBox,
    zoom: Option<u8>,
    filter: &VenueFilter,
) -> Result<MapView, DirectoryError> {
    let filter = &filter.checked().map_err(DirectoryError::Invalid)?;
    let (filter, _) = &understood(pool, filter).await?;
    let range = CellRange::for_view(view, zoom.unwrap_or_else(|| zoom_for(view)));
    // A view finer than the grid is small (at most 256 cells of level 13 or
    // finer): its markers are read directly. A coarser one asks the grid
    // first, so a crowded view never reads its venues one by one.
    let cells = if range.is_stored() {
        queries::stored_clusters(pool, range).await?
    } else {
        Vec::new()
    };
    let around: i64 = cells.iter().map(|c| c.n).sum();
    // A search read from its own index may have few matches in a crowded
    // view: its markers are tried first.
    let reach = reach(filter, around);
    if !range.is_stored() || around <= MARKERS_MAX || reach == Reach::Words {
        let markers = queries::markers_in_box(pool, view, filter, MARKERS_MAX + 1, reach).await?;
        if markers.len() as i64 <= MARKERS_MAX {
            return Ok(MapView {
                total: markers.len() as i64,
                markers,
                ..MapView::default()
            });
        }
    }
    let (clusters, capped) = if filter.is_empty() && range.is_stored() {
        (cells, false)
    } else {
        queries::group_in_box(pool, view, range, filter, GROUP_LIMIT, reach).await?
    };
    Ok(MapView {
        total: clusters.iter().map(|c| c.n).sum(),
        capped,
        clusters: clusters.into_iter().map(round).collect(),
        markers: Vec::new(),
    })
}

/// Five decimals (about a metre) keep a 256-cell answer under 30 KB.
fn round(mut c: crate::venues::Cluster) -> crate::venues::Cluster {
    for v in [
        &mut c.lat,
        &mut c.lng,
        &mut c.south,
        &mut c.west,
        &mut c.north,
        &mut c.east,
    ] {
        *v = (*v * 1e5).round() / 1e5;
    }
    c
}
