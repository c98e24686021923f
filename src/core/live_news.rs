//! What the screen-reader live region says. News of one moment (one run of
//! the page's code: a drop refusing three files, a Jira batch finishing) is
//! told together, so none is lost to the next; past a few files of a kind
//! it is told as a count, so a drop of thousands is one sentence. Each new
//! moment gets a new number, so the view can put it in a new node: news
//! that repeats the last word for word (a retry failing again) is still
//! read out.

use super::Announcement;

/// Files of one kind told by name in one moment; more are counted.
pub const NAMED_PER_MOMENT: usize = 3;

/// The live region's news.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveNews {
    /// Which moment this is; 0 before any news.
    pub number: u64,
    pub items: Vec<Announcement>,
}

impl LiveNews {
    /// Adds `news`: to the current moment's items when `same_moment`,
    /// else as the first item of a new moment.
    pub fn tell(&mut self, news: Announcement, same_moment: bool) {
        if !same_moment {
            self.begin();
        }
        gather(&mut self.items, news);
    }

    /// Takes in the news of a `later` moment, as if told in this one: both
    /// ended before either could be shown.
    pub fn take_in(&mut self, later: LiveNews) {
        for news in later.items {
            gather(&mut self.items, news);
        }
    }

    /// Starts a new moment with no news yet (one held open for a folder
    /// being read).
    pub fn begin(&mut self) {
        self.number = self.number.wrapping_add(1);
        self.items.clear();
    }
}

/// The kinds of news that are counted past [`NAMED_PER_MOMENT`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Counted {
    Uploaded,
    Failed,
}

impl Counted {
    /// The kind of `news`, and how many files it tells of.
    fn of(news: &Announcement) -> Option<(Self, usize)> {
        match news {
            Announcement::Uploaded { .. } => Some((Self::Uploaded, 1)),
            Announcement::UploadedMany(n) => Some((Self::Uploaded, *n)),
            Announcement::Failed { .. } => Some((Self::Failed, 1)),
            Announcement::FailedMany(n) => Some((Self::Failed, *n)),
            _ => None,
        }
    }

    fn many(self, count: usize) -> Announcement {
        match self {
            Self::Uploaded => Announcement::UploadedMany(count),
            Self::Failed => Announcement::FailedMany(count),
        }
    }
}

fn is_connectivity(news: &Announcement) -> bool {
    matches!(news, Announcement::WentOffline | Announcement::BackOnline)
}

/// Adds `news` to one moment's `items`, summing what adds up and counting
/// uploads and failures past [`NAMED_PER_MOMENT`].
fn gather(items: &mut Vec<Announcement>, news: Announcement) {
    if is_connectivity(&news) {
        // Only where the connection ended up is news: offline and back
        // within one moment is "back online", said once.
        items.retain(|i| !is_connectivity(i));
        items.push(news);
        return;
    }
    match news {
        Announcement::FilesAdded(more) => count_added(items, more, items.len()),
        // A folder read: its files are counted with the drop's (first: the
        // weightier news), and only what could not be read is said apart.
        Announcement::FolderRead { added, unreadable } => {
            if added > 0 {
                count_added(items, added, 0);
            }
            if unreadable > 0 {
                match items
                    .iter_mut()
                    .find(|i| matches!(i, Announcement::FolderRead { .. }))
                {
                    Some(Announcement::FolderRead {
                        unreadable: told, ..
                    }) => {
                        *told = told.saturating_add(unreadable);
                    }
                    _ => items.push(Announcement::FolderRead {
                        added: 0,
                        unreadable,
                    }),
                }
            }
        }
        other => gather_counted(items, other),
    }
}

/// Adds `more` files added to the moment's count of them, which is put at
/// `at` if there is none yet.
fn count_added(items: &mut Vec<Announcement>, more: usize, at: usize) {
    match items
        .iter_mut()
        .find(|i| matches!(i, Announcement::FilesAdded(_)))
    {
        Some(Announcement::FilesAdded(count)) => *count = count.saturating_add(more),
        _ => items.insert(at.min(items.len()), Announcement::FilesAdded(more)),
    }
}

/// [`gather`] for the news that is not about files added.
fn gather_counted(items: &mut Vec<Announcement>, news: Announcement) {
    let Some((kind, count)) = Counted::of(&news) else {
        items.push(news);
        return;
    };
    let same = |item: &Announcement| Counted::of(item).filter(|(k, _)| *k == kind);
    let told: usize = items.iter().filter_map(same).map(|(_, n)| n).sum();
    let named = items.iter().filter_map(same).all(|(_, n)| n == 1);
    let total = told.saturating_add(count);
    if named && count == 1 && total <= NAMED_PER_MOMENT {
        items.push(news);
        return;
    }
    // Too many to name: one count where the first of them stood.
    let at = items
        .iter()
        .position(|i| same(i).is_some())
        .unwrap_or(items.len());
    items.retain(|i| same(i).is_none());
    items.insert(at.min(items.len()), kind.many(total));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Refusal, UploadError};

    fn failed(name: &str) -> Announcement {
        Announcement::Failed {
            name: name.to_owned(),
            error: UploadError::Refused(Refusal::Duplicate),
        }
    }

    fn uploaded(name: &str) -> Announcement {
        Announcement::Uploaded {
            name: name.to_owned(),
        }
    }

    #[test]
    fn a_moment_keeps_every_news_and_a_new_moment_starts_afresh() {
        let mut live = LiveNews::default();
        live.tell(Announcement::FilesAdded(2), false);
        live.tell(failed("a.exe"), true);
        live.tell(failed("b.exe"), true);
        assert_eq!(live.number, 1);
        assert_eq!(
            live.items,
            [
                Announcement::FilesAdded(2),
                failed("a.exe"),
                failed("b.exe")
            ]
        );
        live.tell(uploaded("c.png"), false);
        assert_eq!(
            (live.number, live.items.as_slice()),
            (2, &[uploaded("c.png")][..])
        );
    }

    #[test]
    fn a_later_moment_taken_in_is_counted_with_this_one() {
        let mut shown = LiveNews::default();
        for name in ["a", "b", "c"] {
            shown.tell(failed(name), !shown.items.is_empty());
        }
        let mut later = LiveNews::default();
        later.tell(failed("d"), false);
        later.tell(uploaded("e"), true);
        let number = shown.number;
        shown.take_in(later);
        assert_eq!(shown.items, [Announcement::FailedMany(4), uploaded("e")]);
        assert_eq!(shown.number, number);
    }

    #[test]
    fn the_same_news_again_is_a_new_moment() {
        let mut live = LiveNews::default();
        live.tell(failed("a.txt"), false);
        let first = live.clone();
        live.tell(failed("a.txt"), false);
        assert_eq!(live.items, first.items);
        assert_ne!(live.number, first.number);
    }

    #[test]
    fn files_added_in_one_moment_add_up() {
        let mut live = LiveNews::default();
        live.tell(Announcement::FilesAdded(2), false);
        live.tell(Announcement::FilesAdded(3), true);
        assert_eq!(live.items, [Announcement::FilesAdded(5)]);
    }

    #[test]
    fn past_three_of_a_kind_they_are_counted_where_the_first_stood() {
        let mut live = LiveNews::default();
        live.tell(Announcement::FilesAdded(250), false);
        for i in 0..250 {
            live.tell(failed(&format!("f{i}.txt")), true);
        }
        live.tell(uploaded("ok.png"), true);
        assert_eq!(
            live.items,
            [
                Announcement::FilesAdded(250),
                Announcement::FailedMany(250),
                uploaded("ok.png"),
            ]
        );
        // Exactly three are still named.
        let mut three = LiveNews::default();
        for name in ["a", "b", "c"] {
            three.tell(uploaded(name), !three.items.is_empty());
        }
        assert_eq!(three.items, [uploaded("a"), uploaded("b"), uploaded("c")]);
        three.tell(uploaded("d"), true);
        assert_eq!(three.items, [Announcement::UploadedMany(4)]);
    }

    #[test]
    fn the_connection_is_told_once_as_it_ended_up() {
        let mut live = LiveNews::default();
        live.tell(uploaded("a"), false);
        live.tell(Announcement::WentOffline, true);
        live.tell(Announcement::WentOffline, true);
        assert_eq!(live.items, [uploaded("a"), Announcement::WentOffline]);
        live.tell(Announcement::BackOnline, true);
        assert_eq!(live.items, [uploaded("a"), Announcement::BackOnline]);
    }

    #[test]
    fn a_folder_read_in_its_drop_s_moment_counts_with_the_drop() {
        let mut live = LiveNews::default();
        live.tell(Announcement::FilesAdded(1), false);
        live.tell(failed("loose.exe"), true);
        live.tell(
            Announcement::FolderRead {
                added: 3,
                unreadable: 0,
            },
            true,
        );
        assert_eq!(
            live.items,
            [Announcement::FilesAdded(4), failed("loose.exe")]
        );
        live.tell(
            Announcement::FolderRead {
                added: 2,
                unreadable: 1,
            },
            true,
        );
        assert_eq!(
            live.items,
            [
                Announcement::FilesAdded(6),
                failed("loose.exe"),
                Announcement::FolderRead {
                    added: 0,
                    unreadable: 1
                }
            ]
        );
        // A second folder's unreadable files are counted with the first's.
        live.tell(
            Announcement::FolderRead {
                added: 1,
                unreadable: 2,
            },
            true,
        );
        assert_eq!(
            live.items[2],
            Announcement::FolderRead {
                added: 0,
                unreadable: 3
            }
        );
        assert_eq!(live.items[0], Announcement::FilesAdded(7));
    }

    #[test]
    fn a_folder_read_alone_says_its_count_first() {
        let mut live = LiveNews::default();
        live.begin();
        live.tell(failed("a.exe"), true);
        live.tell(
            Announcement::FolderRead {
                added: 2,
                unreadable: 1,
            },
            true,
        );
        live.tell(uploaded("a"), true);
        assert_eq!(
            live.items,
            [
                Announcement::FilesAdded(2),
                failed("a.exe"),
                Announcement::FolderRead {
                    added: 0,
                    unreadable: 1
                },
                uploaded("a")
            ]
        );
        // Nothing readable in it: only that is said.
        live.tell(
            Announcement::FolderRead {
                added: 0,
                unreadable: 3,
            },
            false,
        );
        assert_eq!(
            live.items,
            [Announcement::FolderRead {
                added: 0,
                unreadable: 3
            }]
        );
    }
}
