/** 'comment': matches every packet; only carries text for the reader. */
import type { MatchModule } from '../model';
import type { CommentMatchOpts } from '../opts';
import { saveString } from './util';

export const commentMatch: MatchModule<CommentMatchOpts> = {
  name: 'comment',
  match() {
    return true;
  },
  toIptables(o) {
    return `-m comment --comment ${saveString(o.comment)}`;
  },
};
