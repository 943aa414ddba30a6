"""Understanding: text -> intent + slots (+ confidences). See ``base.Understander``."""
