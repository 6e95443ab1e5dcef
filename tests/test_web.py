"""The awesome-movies.life site: HTTP-level checks, then a click-through in a real headless Chromium."""
import os, shutil, threading, urllib.error, urllib.parse, urllib.request
from collections import Counter
from pathlib import Path

import pytest

from weekend_nb.movie_search import MovieSearch, get_corpus
from weekend_nb.site import ForYou, exposure_warning, load_test, make_app, make_server, parse_ratings


@pytest.fixture(scope='module')
def site():
    "The site over the 200 most popular films, with recommendations, on a free port; yields its base URL."
    from weekend_nb.datasets import load_movielens
    from weekend_nb.recommender import CPU, TINY, train
    films, data = get_corpus(200), load_movielens()
    search = MovieSearch(films)
    cfg = CPU if os.environ.get('WEEKEND_NB_SCREENSHOT') else TINY  # chapter 90's model for the screenshot; a one-epoch one for the checks
    search.for_you = ForYou(films, train(cfg, data[0], quiet=True).module.cpu(), data)
    httpd = make_server(search, '127.0.0.1', 0, for_you=search.for_you)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", search
    httpd.shutdown(); httpd.server_close()


def wsgi_get(app, path, qs=''):
    "Status code and body of a GET, straight through the WSGI application (no sockets)."
    from wsgiref.util import setup_testing_defaults
    env = {'PATH_INFO': path, 'QUERY_STRING': qs, 'REQUEST_METHOD': 'GET'}
    setup_testing_defaults(env)
    got = {}
    body = b''.join(app(env, lambda status, headers: got.update(status=int(status.split()[0]))))
    return got['status'], body.decode()


def test_every_film_page_and_search_answers():
    "The whole corpus, not a sample: every film's page and searches for every 25th title answer 200 (a film without a year too)."
    films = get_corpus()
    app = make_app(MovieSearch(films, encoders=('tfidf',)), k=10)  # the templates are the same whatever the encoder
    pages = {i: wsgi_get(app, '/film', f'id={i}') for i in films.index}
    assert [i for i, (status, _) in pages.items() if status != 200] == []
    no_year = films.index[films.year.isna()]
    assert len(no_year) >= 1 and '<h1>' in pages[no_year[0]][1]
    queries = ['a heist in a casino', 'avatar', *films.title.iloc[::25]]
    answers = {q: wsgi_get(app, '/', urllib.parse.urlencode({'q': q, 'rank': r})) for q in queries for r in ('knn', 'svm')[:1 + (q == queries[0])]}
    assert [q for q, (status, _) in answers.items() if status != 200] == []


def get(url, method='GET'):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=30) as r: return r.status, r.read().decode()
    except urllib.error.HTTPError as e: return e.code, e.read().decode()


def test_pages(site):
    base, search = site
    status, body = get(base + '/')
    assert status == 200 and 'Popular' in body and 'name="q"' in body
    fid = int(search.titles('avatar').index[0])
    for rank in ('knn', 'svm'):
        status, body = get(f"{base}/film?id={fid}&rank={rank}&emb=minilm")
        assert status == 200 and '<h1>Avatar</h1>' in body and body.count('<li>') == 40
    status, body = get(base + '/?' + urllib.parse.urlencode({'q': 'a heist in a casino', 'rank': 'svm'}))
    assert status == 200 and 'Films about' in body and body.count('<li>') >= 20


@pytest.mark.parametrize('path, status, text', [
    ('/film?id=999999', 404, 'No film with id'),
    ('/film?id=%3Cb%3E', 404, '&lt;b&gt;'),
    ('/film', 404, 'No film with id'),
    ('/admin', 404, 'There is no page'),
    ('/?q=', 200, 'Type a title'),
    ('/?q=' + 'x' * 10_000, 200, 'keep it under 200'),
    ('/?q=%3Cscript%3Ealert(1)%3C/script%3E', 200, '&lt;script&gt;alert(1)&lt;/script&gt;'),
    ('/?q=matrix&rank=%22%3E&emb=nope', 200, 'Films about'),
    ('/?q=%00%ff%fe', 200, 'Films about'),
    ('/?' + '&'.join(f'q{i}=x' for i in range(500)), 200, 'Popular'),
])
def test_bad_input_never_500(site, path, status, text):
    got, body = get(site[0] + path)
    assert got == status and text in body and '<script>' not in body


def test_rate_films_then_recommendations(site):
    "Over HTTP with a cookie jar, as a browser without JavaScript: rate three films, get ten recommendations with a reason."
    import http.cookiejar
    base, search = site
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))  # follows the 303 after each rating
    rateable = [i for i in search.films.index if i in search.for_you.to_ml][:3]
    for fid, stars in zip(rateable, (5, 5, 4)):
        with browser.open(f"{base}/rate?id={fid}&r={stars}", timeout=30) as r:
            page = r.read().decode()
            assert r.status == 200 and r.url == f"{base}/film?id={fid}" and 'Your rating' in page
            assert page.split('class="hybrid"')[1].count('<li>') == 10  # in both corpora: its hybrid neighbours too
    assert parse_ratings(next(c.value for c in jar if c.name == 'ratings'))[0] == dict(zip(rateable, (5, 5, 4)))
    with browser.open(base + '/for-you', timeout=30) as r: body = r.read().decode()
    assert body.count('because you liked') == 10 and 'Recommended for you (3 rated)' in body
    status, body = get(base + '/for-you')  # another visitor (no cookie) has no ratings
    assert status == 200 and 'None yet' in body and 'because you liked' not in body


def test_methods(site):
    try: urllib.request.urlopen(urllib.request.Request(site[0] + '/', method='POST'), timeout=30)
    except urllib.error.HTTPError as e: assert (e.code, e.headers['Allow']) == (405, 'GET, HEAD')
    else: pytest.fail('POST was accepted')
    assert get(site[0] + '/', 'HEAD') == (200, '')


def test_many_clients_at_once(site):
    "50 concurrent clients, each request on a new connection, half of them exemplar SVMs: none refused or failed."
    base, search = site
    paths = [f"/film?id={i}&rank={('knn', 'svm')[n % 2]}" for n, i in enumerate(search.films.index[:150])] * 2  # each page twice
    r = load_test(base, paths, clients=50)
    print(f"\n50 clients, {r['requests']} requests: p50 {r['p50']:.3f} s, p95 {r['p95']:.3f} s, max {r['max']:.3f} s, {r['per_second']:.0f}/s")
    assert r['failed'] == 0  # the old server's backlog of 5 refused connections under this load


def test_idle_connections_are_closed():
    "A client that connects and sends nothing is disconnected after the timeout, and does not hold a worker."
    import socket, time
    srv = make_server(MovieSearch(get_corpus(30), encoders=('tfidf',)), '127.0.0.1', 0, threads=2, timeout=2)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        idle = [socket.create_connection(('127.0.0.1', srv.server_port)) for _ in range(20)]  # ten times the workers
        assert get(f'http://127.0.0.1:{srv.server_port}/film?id=0')[0] == 200  # still served
        time.sleep(5)
        for s in idle:
            s.settimeout(5)
            assert s.recv(1) == b''  # closed by the server
            s.close()
    finally: srv.shutdown()


def test_serving_beyond_this_machine_warns():
    "`weekend serve --host 0.0.0.0` says, before anything else, that the site is reachable from the network."
    import subprocess, sys
    p = subprocess.Popen([sys.executable, '-m', 'weekend_nb.cli', 'serve', 'movies', '--host', '0.0.0.0', '--port', '0', '--preset', 'tiny'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try: line = p.stderr.readline()
    finally: p.kill(); p.wait()
    assert 'reachable from other machines' in line
    assert exposure_warning('127.0.0.1') is None


def _chromium():
    "A headless Chromium driven by selenium, or None (skip) when it is not installed."
    binary, driver = shutil.which('chromium') or shutil.which('chromium-browser'), shutil.which('chromedriver')
    try: from selenium import webdriver
    except ImportError: binary = None
    if not (binary and driver):
        if os.environ.get('WEEKEND_NB_REQUIRE_BROWSER'): pytest.fail('chromium, chromium-driver and selenium are required (apt install chromium chromium-driver)')
        pytest.skip('no chromium / chromedriver / selenium: apt install chromium chromium-driver; pip install selenium')
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for a in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
              '--no-first-run', '--disable-dev-shm-usage', '--blink-settings=scriptEnabled=false'):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(driver), options=opts)


def test_click_through_in_chromium(site):
    "Search -> film page -> one of its similar films -> switch to the SVM ranking, JavaScript off."
    from selenium.webdriver.common.by import By
    browser = _chromium()
    try:
        browser.get(site[0] + '/')
        box = browser.find_element(By.NAME, 'q')
        box.send_keys('dark knight')
        box.submit()  # returns before the results page has loaded: wait for it (up to 20 s) before looking
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait
        try: WebDriverWait(browser, 20).until(lambda b: 'Titles with' in b.page_source)
        except TimeoutException: pass
        assert 'Titles with' in browser.page_source
        browser.set_window_size(1100, 900)
        png = browser.get_screenshot_as_png()  # what a visitor sees; `make screenshot` keeps it for chapter 96
        assert png.startswith(b'\x89PNG') and len(png) > 10_000
        if os.environ.get('WEEKEND_NB_SCREENSHOT'): Path(os.environ['WEEKEND_NB_SCREENSHOT']).write_bytes(png)
        _then_wait(browser, browser.find_element(By.PARTIAL_LINK_TEXT, 'The Dark Knight').click)
        assert browser.find_element(By.TAG_NAME, 'h1').text == 'The Dark Knight'
        similar = browser.find_elements(By.CSS_SELECTOR, 'ol.films li a')
        assert len(similar) == 40
        title = similar[0].text
        _then_wait(browser, similar[0].click)
        assert browser.find_element(By.TAG_NAME, 'h1').text == title
        _then_wait(browser, browser.find_element(By.LINK_TEXT, 'svm').click)
        assert 'rank=svm' in browser.current_url and len(browser.find_elements(By.CSS_SELECTOR, 'ol.films li')) == 40
    finally: browser.quit()


def _then_wait(browser, action):
    "Do `action` (a click, a submit), then wait up to 20 s for the next page: selenium returns before it has loaded."
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.webdriver.common.by import By
    old = browser.find_element(By.TAG_NAME, 'html')
    action()
    WebDriverWait(browser, 20).until(EC.staleness_of(old))


def test_rate_three_films_in_chromium(site):
    "Search -> a film -> 5 stars, three times -> 'Recommended for you' lists ten films, each with a reason; JavaScript off."
    from selenium.webdriver.common.by import By
    base, search = site
    titles = [search.films.title[i] for i in search.films.index if i in search.for_you.to_ml][:3]
    browser = _chromium()
    try:
        browser.get(base + '/')
        for title in titles:
            box = browser.find_element(By.NAME, 'q')
            box.clear(); box.send_keys(title)
            _then_wait(browser, box.submit)
            _then_wait(browser, browser.find_element(By.CSS_SELECTOR, 'ol.films a').click)  # the first title found
            assert browser.find_element(By.TAG_NAME, 'h1').text == title
            _then_wait(browser, browser.find_element(By.LINK_TEXT, '5★').click)
            assert browser.find_element(By.CSS_SELECTOR, '.rate a.on').text == '5★'  # back on the film's page, rated
        _then_wait(browser, browser.find_element(By.PARTIAL_LINK_TEXT, 'Recommended for you').click)
        recs = browser.find_elements(By.CSS_SELECTOR, 'ol.recs li')
        assert len(recs) == 10 and all('because you liked' in r.text for r in recs)
        reasons = Counter(r.text.split('because you liked ')[1] for r in recs)
        assert {t for r in reasons for t in r.split(' and ')} <= set(titles) and max(reasons.values()) <= 3, reasons  # true, and they differ
        assert browser.find_element(By.TAG_NAME, 'h1').text == 'Recommended for you' and '(3 rated)' in browser.page_source
        if os.environ.get('WEEKEND_NB_SCREENSHOT'):  # `make screenshot`: this page too, next to the search page's
            browser.set_window_size(1100, 1100)
            Path(os.environ['WEEKEND_NB_SCREENSHOT']).with_name('awesome-movies-for-you.png').write_bytes(browser.get_screenshot_as_png())
    finally: browser.quit()


def test_malformed_requests_get_4xx_within_seconds():
    "Raw requests a browser never sends: each gets a 4xx with the security headers within a few seconds, never silence."
    import socket, time
    srv = make_server(MovieSearch(get_corpus(30), encoders=('tfidf',)), '127.0.0.1', 0, threads=2, timeout=2)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    def ask(raw: bytes) -> tuple[bytes, float]:
        t = time.perf_counter()
        with socket.create_connection(('127.0.0.1', srv.server_port)) as s:
            s.settimeout(15); got = b''
            try:
                s.sendall(raw)
                while (chunk := s.recv(65536)): got += chunk
            except ConnectionResetError: pass  # the server answered and closed before reading all of a too-large request
        return got, time.perf_counter() - t
    try:
        for raw, status in [(b'GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n', b'404'),           # a NUL in the path: no such page
                            (b'HELLO\r\n\r\n', b'400'),                                     # not HTTP
                            (b'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'a' * 40_000 + b'\r\n\r\n', b'431'),  # a huge header
                            (b'GET /film?id=1 HTTP/1.1\r\nHost: x\r\n', b'408'),            # half a request, then silence
                            (b'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n', b'413')]:  # a body too large
            got, secs = ask(raw)
            assert got.split(b'\r\n')[0].split(b' ')[1:2] == [status], (raw[:40], got[:200])
            assert secs < 6, (raw[:40], secs)
            if status == b'408': assert b'X-Frame-Options: DENY' in got
        assert get(f'http://127.0.0.1:{srv.server_port}/film?id=0')[0] == 200  # and it still serves
    finally: srv.shutdown()
