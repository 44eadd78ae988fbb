/** The demo's data: a few bands and their reviews, kept in memory. */
export interface Band {
  readonly id: string;
  readonly name: string;
  readonly genre: string;
  readonly formed: number;
}

export interface Review {
  readonly id: string;
  readonly bandId: string;
  readonly author: string;
  readonly stars: number;
  readonly text: string;
}

export const BANDS: readonly Band[] = [
  { id: '1', name: 'The Span Kinds', genre: 'post-rock', formed: 2016 },
  { id: '2', name: 'Baggage Claim', genre: 'indie pop', formed: 2019 },
  { id: '3', name: 'Sampled at One', genre: 'drum and bass', formed: 2021 },
];

export const REVIEWS: readonly Review[] = [
  { id: '101', bandId: '1', author: 'ada', stars: 5, text: 'Every parent has its children.' },
  { id: '102', bandId: '1', author: 'grace', stars: 4, text: 'Long intros, worth the latency.' },
  { id: '103', bandId: '1', author: 'linus', stars: 3, text: 'A bit too much fan-out.' },
  { id: '104', bandId: '1', author: 'barbara', stars: 5, text: 'Critical path: pure bliss.' },
  { id: '201', bandId: '2', author: 'ken', stars: 4, text: 'Carries context wherever it goes.' },
  { id: '202', bandId: '2', author: 'dennis', stars: 2, text: 'Lost my luggage at the second hop.' },
  { id: '301', bandId: '3', author: 'margaret', stars: 5, text: 'One in one, never dropped.' },
];
